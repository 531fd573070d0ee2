/**
 * One batch of files for the folder writer (folder.ts FOLDER_WRITER), built
 * while a render runs: the distinct contents go into one UTF-8 buffer as
 * they arrive, the files as numbers per cluster folder. A render of the
 * per-cluster worst case makes a million contents; kept as strings (and the
 * files as [path, index] pairs) until the batch was handed over, each
 * outlived a few young-generation collections and was copied by each, the
 * largest share of the render's garbage collection (issue 19).
 */
import { byteOrder } from '../load/source.ts';

/** What the writer receives: paths in write order, the distinct contents once each (buffers transferred). */
export interface WriteBatch {
  paths: ArrayBuffer;
  pathEnds: Uint32Array<ArrayBuffer>;
  contents: ArrayBuffer;
  contentEnds: Uint32Array<ArrayBuffer>;
  contentOf: Uint32Array<ArrayBuffer>;
}

const FIRST_BYTES = 1 << 20;
const FIRST_CONTENTS = 1 << 12;

/** Builds batch after batch: build() hands out copies and starts the next, keeping the buffers (grown once, not per batch). */
export class WriteBatchBuilder {
  /** Files queued (one per cluster a content goes to). */
  files = 0;
  private bodies = Buffer.alloc(FIRST_BYTES);
  /** Bytes of distinct content queued. */
  bytes = 0;
  private contentEnds = new Uint32Array(FIRST_CONTENTS);
  private contents = 0;
  /** Paths inside a cluster folder, each once, and their index. */
  private paths: string[] = [];
  private readonly pathIndex = new Map<string, number>();
  /** Per cluster folder: [path index, content index] pairs, flat. */
  private readonly byCluster = new Map<string, number[]>();

  /** Queues `content` at `file` in each of `clusters` (at least one). */
  add(file: string, content: string, clusters: readonly string[]): void {
    const index = this.addContent(content);
    let path = this.pathIndex.get(file);
    if (path === undefined) this.pathIndex.set(file, (path = this.paths.push(file) - 1));
    for (const cluster of clusters) {
      let pairs = this.byCluster.get(cluster);
      if (pairs === undefined) this.byCluster.set(cluster, (pairs = []));
      pairs.push(path, index);
    }
    this.files += clusters.length;
  }

  private addContent(content: string): number {
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    if (this.bytes + content.length * 3 > this.bodies.length) {
      const grown = Buffer.alloc(Math.max(this.bodies.length * 2, this.bytes + content.length * 3));
      this.bodies.copy(grown, 0, 0, this.bytes);
      this.bodies = grown;
    }
    if (this.contents === this.contentEnds.length) {
      const grown = new Uint32Array(this.contentEnds.length * 2);
      grown.set(this.contentEnds);
      this.contentEnds = grown;
    }
    this.bytes += this.bodies.write(content, this.bytes);
    this.contentEnds[this.contents] = this.bytes;
    return this.contents++;
  }

  /**
   * The batch, cluster folder by cluster folder and in path order within
   * each (the order FOLDER_WRITER writes in; see StagedFolder.writeToClusters),
   * in buffers of its own; the builder starts the next batch.
   */
  build(): { batch: WriteBatch; transfer: ArrayBuffer[] } {
    // The order the batches always had: UTF-16 code units.
    const order = this.paths.map((_, i) => i).sort((a, b) => byteOrder(this.paths[a] as string, this.paths[b] as string));
    const rank = new Uint32Array(this.paths.length);
    order.forEach((path, r) => (rank[path] = r));
    const pathBytes = this.paths.map((p) => Buffer.from(p));
    const clusters = [...this.byCluster.keys()].sort(byteOrder);
    const prefixes = clusters.map((cluster) => Buffer.from(`${cluster}/`));
    let total = 0;
    clusters.forEach((cluster, c) => {
      const pairs = this.byCluster.get(cluster) as number[];
      for (let k = 0; k < pairs.length; k += 2) total += (prefixes[c] as Buffer).length + (pathBytes[pairs[k] as number] as Buffer).length;
    });
    const names = Buffer.from(new ArrayBuffer(total));
    const pathEnds = new Uint32Array(this.files);
    const contentOf = new Uint32Array(this.files);
    const span = Math.max(1, this.contents);
    let at = 0;
    let i = 0;
    clusters.forEach((cluster, c) => {
      const pairs = this.byCluster.get(cluster) as number[];
      // Sorted as numbers: path rank, then content index (a path appears once per cluster).
      const keys = new Float64Array(pairs.length / 2);
      for (let k = 0; k < keys.length; k++) keys[k] = (rank[pairs[2 * k] as number] as number) * span + (pairs[2 * k + 1] as number);
      keys.sort();
      const prefix = prefixes[c] as Buffer;
      for (const key of keys) {
        const content = key % span;
        at += prefix.copy(names, at);
        at += (pathBytes[order[(key - content) / span] as number] as Buffer).copy(names, at);
        pathEnds[i] = at;
        contentOf[i++] = content;
      }
    });
    const contents = this.bodies.buffer.slice(this.bodies.byteOffset, this.bodies.byteOffset + this.bytes) as ArrayBuffer;
    const contentEnds = this.contentEnds.slice(0, this.contents);
    this.reset();
    const batch: WriteBatch = { paths: names.buffer as ArrayBuffer, pathEnds, contents, contentEnds, contentOf };
    return { batch, transfer: [batch.paths, pathEnds.buffer, contents, contentEnds.buffer, contentOf.buffer] };
  }

  private reset(): void {
    this.files = 0;
    this.bytes = 0;
    this.contents = 0;
    this.paths = [];
    this.pathIndex.clear();
    this.byCluster.clear();
  }
}
