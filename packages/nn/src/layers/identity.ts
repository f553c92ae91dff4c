import { Module } from '../module.js';

/** Returns its input unchanged (torch.nn.Identity): a placeholder, e.g. for an optional norm. */
export class Identity extends Module {
  forward<T>(x: T): T {
    return x;
  }
}
