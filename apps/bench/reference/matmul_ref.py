"""PyTorch's float32 matmul throughput on the core suite's shapes (src/main.ts), at 1 and 2 threads:
the ceiling a GEMM-bound step in PyTorch runs against on this machine. Prints JSON (GFLOP/s).

  python3 apps/bench/reference/matmul_ref.py
"""
import json

import torch

from timing import median_ms

SHAPES = [(f'matmul {n}³', 1, n, n, n) for n in (64, 128, 256, 512, 1024)] + [
    ('matmul 768×128·128×384', 1, 768, 128, 384),
    ('matmul 768×128·128×512', 1, 768, 128, 512),
    ('matmul 768×512·512×128', 1, 768, 512, 128),
    ('bmm 48×(64×32·32×64)', 48, 64, 32, 64),
]


def main():
    out = {'torch': torch.__version__}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        rows = {}
        for name, b, m, k, n in SHAPES:
            a = torch.randn(b, m, k).squeeze(0)
            w = torch.randn(b, k, n).squeeze(0)
            ms = median_ms(lambda: a @ w, warmup=5, min_reps=20, budget_ms=500, max_reps=2000)
            rows[name] = 2 * b * m * k * n / ms / 1e6
        out[f'{threads}t'] = rows
    print(json.dumps(out))


if __name__ == '__main__':
    main()
