/**
 * Appends items one at a time. `target.push(...items)` passes every item as an argument and overflows the call
 * stack past about 100,000 of them, which a host can print (parser warnings, a large nft set, many networks).
 */
export function appendAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
