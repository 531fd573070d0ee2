// Unit tests of the fleet harness pieces that need no Kubernetes binaries.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { BINARIES, ensureBinaries, pinnedKubernetesVersion, resolveBinaries } from './binaries.ts';
import { freePorts, renderKubeconfig, startFleet } from './fleet.ts';
import { sleep } from './kube.ts';

const scratch = mkdtempSync(join(tmpdir(), 'manifold-fleet-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('binaries', () => {
  it('pins a k8s.io/kubernetes version in scripts/envtest/go.mod', () => {
    expect(pinnedKubernetesVersion()).toMatch(/^v1\.\d+\.\d+$/);
  });

  it('fails with an explicit message when neither Go nor KUBEBUILDER_ASSETS is available', async () => {
    const env = { PATH: join(scratch, 'empty-path'), HOME: scratch, MANIFOLD_CACHE: join(scratch, 'cache') };
    const err = await ensureBinaries({ env, goCandidates: [] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/missing Kubernetes binaries: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok/);
    expect(err?.message).toMatch(/Go is not installed/);
    expect(err?.message).toMatch(/KUBEBUILDER_ASSETS \(not set\)/);
    expect(err?.message).toContain(join(scratch, 'cache', 'envtest'));
  });

  it('uses KUBEBUILDER_ASSETS first and the cache for the rest', () => {
    const assets = join(scratch, 'assets');
    const version = pinnedKubernetesVersion();
    const cache = join(scratch, 'cache2', 'envtest', version);
    mkdirSync(assets, { recursive: true });
    mkdirSync(cache, { recursive: true });
    for (const [dir, name] of [
      [assets, 'etcd'],
      [assets, 'kube-apiserver'],
      [cache, 'kube-apiserver'],
      [cache, 'kwok'],
    ] as const) {
      writeFileSync(join(dir, name), '#!/bin/sh\n');
      chmodSync(join(dir, name), 0o755);
    }
    const r = resolveBinaries({
      env: { PATH: '', HOME: scratch, MANIFOLD_CACHE: join(scratch, 'cache2'), KUBEBUILDER_ASSETS: assets },
      goCandidates: [],
    });
    expect(r.found.etcd).toBe(join(assets, 'etcd'));
    expect(r.found['kube-apiserver']).toBe(join(assets, 'kube-apiserver'));
    expect(r.found.kwok).toBe(join(cache, 'kwok'));
    expect(r.missing).toEqual(['kube-controller-manager', 'kube-scheduler']);
    expect(r.go).toBeUndefined();
    expect(BINARIES).toHaveLength(5);
  });
});

describe('kubeconfig', () => {
  it('has one context per cluster, named after it', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const text = renderKubeconfig([
      { name: 'member1', server: 'https://127.0.0.1:1001', caPem: ca, token: 't1' },
      { name: 'member2', server: 'https://127.0.0.1:1002', caPem: ca, token: 't2' },
    ]);
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getContexts().map((c) => c.name)).toEqual(['member1', 'member2']);
    expect(kc.getCurrentContext()).toBe('member1');
    kc.setCurrentContext('member2');
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:1002');
    expect(kc.getCurrentUser()?.token).toBe('t2');
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString()).toBe(ca);
  });

  it('names clusters as told (fleet:up --names), refusing names that cannot be contexts and folders, before starting anything', async () => {
    await expect(startFleet({ names: ['eu-1', 'EU_2'], build: false })).rejects.toThrow(/cluster name "EU_2" is not a DNS-1123 label/);
    await expect(startFleet({ names: ['eu-1', 'eu-1'], build: false })).rejects.toThrow(/cluster names must be distinct/);
  });

  it('allocates distinct loopback ports', async () => {
    const ports = await freePorts(8);
    expect(new Set(ports).size).toBe(8);
  });
});

describe('process cleanup', () => {
  const fixture = join(import.meta.dirname, 'fixtures', 'hold.ts');
  const startHolder = async (): Promise<{ child: ReturnType<typeof spawn>; pid: number; dir: string }> => {
    const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout?.once('data', (d: Buffer) => resolve(d.toString()));
      child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    const { pid, dir } = JSON.parse(line) as { pid: number; dir: string };
    expect(alive(pid)).toBe(true);
    expect(existsSync(dir)).toBe(true);
    return { child, pid, dir };
  };
  const gone = async (pid: number, dir: string): Promise<void> => {
    for (let i = 0; i < 50 && (alive(pid) || existsSync(dir)); i++) await sleep(200);
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  };

  it('kills children and removes the folder on SIGTERM', async () => {
    const { child, pid, dir } = await startHolder();
    child.kill('SIGTERM');
    await gone(pid, dir);
  });

  it('the watchdog cleans up after a SIGKILLed harness', async () => {
    const { child, pid, dir } = await startHolder();
    child.kill('SIGKILL');
    await gone(pid, dir);
  });
});
