/** A Map that counts its changes, so a cache of the names in use knows when it went stale. */
export class VersionedMap<K, V> extends Map<K, V> {
  version = 0;

  override set(key: K, value: V): this {
    if (!this.has(key)) this.version++;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const had = super.delete(key);
    if (had) this.version++;
    return had;
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}
