/** Image references and component operations (pkg/controllers/override/imageparse.go, distribution/reference). */
import { describe, expect, it } from 'vitest';
import { applyImageOperations, formatImage, parseImage, splitRegistryAndRepository, type ImageOperation } from './image.ts';

const DIGEST_A = 'sha256:aaaaf56b44807c64d294e6c8059b479f35350b454492398225034174808d1726';
const DIGEST_B = 'sha256:bbbbf56b44807c64d294e6c8059b479f35350b454492398225034174808d1726';

const full = (operator: ImageOperation['operator'], registry: string, repository: string, tag: string, digest: string): ImageOperation[] => [
  { imageComponent: 'Registry', operator, value: registry },
  { imageComponent: 'Repository', operator, value: repository },
  { imageComponent: 'Tag', operator, value: tag },
  { imageComponent: 'Digest', operator, value: digest },
];

describe('parseImage', () => {
  it.each([
    ['nginx', { registry: '', repository: 'nginx', tag: '', digest: '' }],
    ['ealen/echo-server', { registry: '', repository: 'ealen/echo-server', tag: '', digest: '' }],
    ['docker.io/ealen/echo-server:latest', { registry: 'docker.io', repository: 'ealen/echo-server', tag: 'latest', digest: '' }],
    ['localhost/app:1', { registry: 'localhost', repository: 'app', tag: '1', digest: '' }],
    ['registry:5000/team/app', { registry: 'registry:5000', repository: 'team/app', tag: '', digest: '' }],
    [`ealen/echo-server@${DIGEST_B}`, { registry: '', repository: 'ealen/echo-server', tag: '', digest: DIGEST_B }],
    ['[::1]:5000/app:v2', { registry: '[::1]:5000', repository: 'app', tag: 'v2', digest: '' }],
  ])('%s', (image, parts) => {
    expect(parseImage(image)).toEqual(parts);
    expect(formatImage(parseImage(image))).toBe(image);
  });

  it.each([
    ['', 'repository name must have at least one component'],
    ['Nginx', 'repository name must be lowercase'],
    ['nginx:', 'invalid reference format'],
    ['nginx@sha256:abcd', 'invalid reference format'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`${'a'.repeat(256)}`, 'repository name must not be more than 255 characters'],
  ])('rejects %j', (image, message) => {
    expect(() => parseImage(image)).toThrow(message);
  });

  it('SplitRegistryAndRepository keeps a first segment without . or : in the repository', () => {
    expect(splitRegistryAndRepository('ealen/echo-server')).toEqual({ registry: '', repository: 'ealen/echo-server' });
    expect(splitRegistryAndRepository('my.registry/a/b')).toEqual({ registry: 'my.registry', repository: 'a/b' });
  });
});

describe('applyImageOperations (imagepatch_test.go Test_parseImageOverriders, per image)', () => {
  it('addIfAbsent on empty registry and tag', () => {
    const ops: ImageOperation[] = [
      { imageComponent: 'Registry', operator: 'addIfAbsent', value: 'temp.io' },
      { imageComponent: 'Tag', operator: 'addIfAbsent', value: '0.5' },
    ];
    expect(applyImageOperations(`ealen/echo-server@${DIGEST_B}`, ops)).toBe(`temp.io/ealen/echo-server:0.5@${DIGEST_B}`);
  });
  it('overwrite every component', () => {
    expect(applyImageOperations(`docker.io/ealen/echo-server:latest@${DIGEST_B}`, full('overwrite', 'temp.io', 'temp/echo-server', '0.5', DIGEST_A))).toBe(
      `temp.io/temp/echo-server:0.5@${DIGEST_A}`,
    );
  });
  it('delete every component gives an empty image', () => {
    expect(applyImageOperations(`docker.io/ealen/echo-server:latest@${DIGEST_B}`, full('delete', '', '', '', ''))).toBe('');
  });
  it('an empty operator means overwrite', () => {
    expect(applyImageOperations(`docker.io/ealen/echo-server:latest@${DIGEST_B}`, full(undefined, 'temp.io', 'temp/echo-server', '1.0', DIGEST_A))).toBe(
      `temp.io/temp/echo-server:1.0@${DIGEST_A}`,
    );
  });
  it.each([
    ['addIfAbsent on non-empty components', full('addIfAbsent', 'temp.io', 'temp/echo-server', '0.5', DIGEST_A), 'not allowed to operate on non-empty value'],
    ['addIfAbsent without value', full('addIfAbsent', '', '', '', ''), 'addIfAbsent operation needs value'],
    ['invalid tag', full('overwrite', 'temp.io', 'temp/echo-server', '1@0', DIGEST_A), 'invalid tag format'],
    ['invalid digest', full('overwrite', 'temp.io', 'temp/echo-server', '1.0', 'sha256:aaaa'), 'invalid digest format'],
  ])('%s fails', (_name, ops, message) => {
    expect(() => applyImageOperations(`docker.io/ealen/echo-server:latest@${DIGEST_B}`, ops)).toThrow(message);
  });
  it('an unparsable original image fails', () => {
    expect(() => applyImageOperations('', full('overwrite', 'a.io', 'b', 'c', DIGEST_A))).toThrow(/parse image failed/);
  });
});
