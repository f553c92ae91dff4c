// Registration entry point: importing this module registers every CPU kernel.
import './elementwise.js';
import './reduce.js';
import './movement.js';
import './indexing.js';
import './matmul.js';
import './conv.js';
import './pool.js';
import './linalg.js';
