import { describe, expect, it } from 'vitest';
import { FileTable } from './file-table.ts';

function table(): FileTable {
  const t = new FileTable(['a', 'b', 'c', 'd']);
  t.startRow('namespaces/x/Deployment.apps/web.yaml');
  t.add('web-a', ['a']);
  t.add('web-bc', ['b', 'c']);
  t.endRow();
  t.startRow('cluster/Namespace/x.yaml');
  t.add('ns', ['a', 'b', 'c', 'outside-the-inventory']);
  t.endRow();
  t.startRow('namespaces/x/ConfigMap/none.yaml');
  t.endRow(); // nothing landed: no row
  return t;
}

describe('FileTable', () => {
  it('gives each inventory cluster its files in path order, with the value the sink returned', () => {
    const files = table().clusterFiles();
    expect([...files.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect([...(files.get('a') ?? [])]).toEqual([
      ['cluster/Namespace/x.yaml', 'ns'],
      ['namespaces/x/Deployment.apps/web.yaml', 'web-a'],
    ]);
    expect(files.get('b')?.get('namespaces/x/Deployment.apps/web.yaml')).toBe('web-bc');
    expect(files.get('b')?.has('namespaces/x/ConfigMap/none.yaml')).toBe(false);
    expect(files.get('d')?.size).toBe(0);
    expect([...(files.get('d')?.keys() ?? [])]).toEqual([]);
    expect(files.has('outside-the-inventory')).toBe(false);
  });

  it('hands clusters with the same files one and the same view (the git layer hashes it once)', () => {
    const files = table().clusterFiles();
    expect(files.get('b')).toBe(files.get('c'));
    expect(files.get('a')).not.toBe(files.get('b'));
    expect(files.get('b')?.size).toBe(2);
  });

  it('behaves as a read-only map', () => {
    const view = table().clusterFiles().get('a') as ReadonlyMap<string, string>;
    const seen: string[] = [];
    view.forEach((value, key) => seen.push(`${key}=${value}`));
    expect(seen).toEqual(['cluster/Namespace/x.yaml=ns', 'namespaces/x/Deployment.apps/web.yaml=web-a']);
    expect([...view.values()]).toEqual(['ns', 'web-a']);
    expect(new Map(view)).toEqual(new Map([['cluster/Namespace/x.yaml', 'ns'], ['namespaces/x/Deployment.apps/web.yaml', 'web-a']]));
  });
});
