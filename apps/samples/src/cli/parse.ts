/** Option parsers for the commander subcommands: each names its flag in the error. */
import { InvalidArgumentError } from 'commander';

type Parser<T> = (v: string) => T;

export const int =
  (name: string): Parser<number> =>
  (v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, found '${v}'`);
    return n;
  };

export const num =
  (name: string): Parser<number> =>
  (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, found '${v}'`);
    return n;
  };

export const positiveInt =
  (name: string): Parser<number> =>
  (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, found '${v}'`);
    return n;
  };

export const positiveNum =
  (name: string): Parser<number> =>
  (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, found '${v}'`);
    return n;
  };

/** A comma-separated list, each item parsed by `item`; '' is the empty list only with `allowEmpty`. */
export const intList =
  (name: string, item: (name: string) => Parser<number> = int, opts: { allowEmpty?: boolean } = {}): Parser<number[]> =>
  (v) =>
    v === '' && opts.allowEmpty ? [] : v.split(',').map(item(name));
