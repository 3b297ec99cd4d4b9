/** Seed lists as people write them: "1-12", "1,5,9", "1-4, 9, 20-22". */

/** The seeds, or throws a RangeError saying what is wrong. */
export function parseSeedList(text: string): number[] {
  const seeds: number[] = [];
  const parts = text.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new RangeError('is empty; write seeds like 1-12 or 1,5,9');
  for (const part of parts) {
    if (part === '') continue;
    const range = /^(-?\d+)\s*-\s*(-?\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from) throw new RangeError(`the range ${part} runs backwards; write ${to}-${from}`);
      if (to - from >= 100_000) throw new RangeError(`the range ${part} has more than 100000 seeds`);
      for (let s = from; s <= to; s++) seeds.push(s);
      continue;
    }
    if (!/^-?\d+$/.test(part)) throw new RangeError(`"${part}" is not a seed or a range; write whole numbers and ranges like 1-12 or 1,5,9`);
    seeds.push(Number(part));
  }
  const unique = [...new Set(seeds)];
  if (unique.length !== seeds.length) throw new RangeError('lists a seed more than once');
  return unique;
}
