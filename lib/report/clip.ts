/** `s` cut to at most `n` code points, the last one an ellipsis when anything was cut. */
export function clip(s: string, n: number): string {
  return [...s].length <= n ? s : `${[...s].slice(0, n - 1).join('')}…`;
}
