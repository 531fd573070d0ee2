/** Vectors from karmada-io/karmada pkg/util/imageparser/parser_test.go and lifted_test.go. */
import { describe, expect, it } from 'vitest';
import {
  DIGEST_REGEXP,
  ImageParseError,
  TAG_REGEXP,
  imageString,
  parseImage,
  parseReference,
  removeTagOrDigest,
  setTagOrDigest,
  splitHostname,
  tagOrDigest,
  type ImageComponents,
} from './imageparser.ts';

const SHA = '50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c';

describe('parseImage (TestParse)', () => {
  const cases: [name: string, image: string, hostname: string, repository: string, tag: string, digest: string][] = [
    ['simple', 'pause', '', 'pause', '', ''],
    ['repository', 'subpath/imagename:v1.0.0', '', 'subpath/imagename', 'v1.0.0', ''],
    ['normal', 'fictional.registry.example/imagename:v1.0.0', 'fictional.registry.example', 'imagename', 'v1.0.0', ''],
    [
      'hostname with port',
      'fictional.registry.example:10443/subpath/imagename:v1.0.0',
      'fictional.registry.example:10443',
      'subpath/imagename',
      'v1.0.0',
      '',
    ],
    [
      'digest',
      `fictional.registry.example:10443/subpath/imagename@sha256:${SHA}`,
      'fictional.registry.example:10443',
      'subpath/imagename',
      '',
      `sha256:${SHA}`,
    ],
  ];
  it.each(cases)('%s: %s', (_name, image, hostname, repository, tag, digest) => {
    const comp = parseImage(image);
    expect(imageString(comp)).toBe(image);
    expect(comp).toEqual({ hostname, repository, tag, digest });
  });
});

describe('splitHostname (TestSplitHostname)', () => {
  const cases: [name: string, input: string, hostname: string, repository: string][] = [
    ['empty image got nothing', '', '', ''],
    ['simple repository', 'imagename', '', 'imagename'],
    ['repository with sub-path', 'subpath/imagename', '', 'subpath/imagename'],
    ['canonical image', 'fictional.registry.example/subpath/imagename', 'fictional.registry.example', 'subpath/imagename'],
    ['hostname with port', 'fictional.registry.example:10443/subpath/imagename', 'fictional.registry.example:10443', 'subpath/imagename'],
    ['hostname with IP', '10.10.10.10:10443/subpath/imagename', '10.10.10.10:10443', 'subpath/imagename'],
  ];
  it.each(cases)('%s', (_name, input, hostname, repository) => {
    expect(splitHostname(input)).toEqual([hostname, repository]);
  });
  it('localhost is a host, a plain first segment is not (no docker.io normalisation)', () => {
    expect(splitHostname('localhost/app')).toEqual(['localhost', 'app']);
    expect(splitHostname('library/nginx')).toEqual(['', 'library/nginx']);
  });
});

describe('Components setters (Example* functions)', () => {
  it('ExampleComponents_SetHostname', () => {
    const comp = parseImage('imagename:v1.0.0');
    const added = { ...comp, hostname: 'fictional.registry.example' };
    expect(imageString(added)).toBe('fictional.registry.example/imagename:v1.0.0');
    const updated = { ...added, hostname: 'gcr.io' };
    expect(imageString(updated)).toBe('gcr.io/imagename:v1.0.0');
    expect(imageString({ ...updated, hostname: '' })).toBe('imagename:v1.0.0');
  });
  it('ExampleComponents_SetRepository', () => {
    const comp = parseImage('gcr.io/kube-apiserver:v1.19.0');
    expect(imageString({ ...comp, repository: 'kube-controller-manager' })).toBe('gcr.io/kube-controller-manager:v1.19.0');
  });
  it('ExampleComponents_SetTagOrDigest', () => {
    let comp: ImageComponents = parseImage('gcr.io/kube-apiserver');
    comp = setTagOrDigest(comp, 'v1.19.0');
    expect(imageString(comp)).toBe('gcr.io/kube-apiserver:v1.19.0');
    comp = removeTagOrDigest(comp);
    expect(imageString(comp)).toBe('gcr.io/kube-apiserver');
    comp = setTagOrDigest(comp, `sha256:${SHA}`);
    expect(imageString(comp)).toBe(`gcr.io/kube-apiserver@sha256:${SHA}`);
    comp = removeTagOrDigest(comp);
    expect(imageString(comp)).toBe('gcr.io/kube-apiserver');
  });
  it('ExampleComponents_String', () => {
    const key: ImageComponents = { hostname: 'fictional.registry.example', repository: 'karmada-scheduler', tag: 'v1.0.0', digest: '' };
    expect(imageString(key)).toBe('fictional.registry.example/karmada-scheduler:v1.0.0');
  });
  it('SetTagOrDigest ignores anything that is neither a tag nor a bare digest', () => {
    const comp = parseImage('app:1.0');
    expect(setTagOrDigest(comp, `@sha256:${SHA}`)).toBe(comp);
    expect(setTagOrDigest(comp, `v1.0.0sha256:${SHA}`)).toBe(comp);
    expect(setTagOrDigest(comp, '')).toBe(comp);
    expect(tagOrDigest(setTagOrDigest(comp, 'sha256:' + 'A'.repeat(32)))).toBe('sha256:' + 'A'.repeat(32));
  });
});

describe('regular expressions (lifted_test.go)', () => {
  it.each(['latest', 'v1.0.0', 'v1.0.0-alpha', 'my-tag'])('TagRegexp matches %s', (tag) => {
    expect(TAG_REGEXP.test(tag)).toBe(true);
  });
  it.each([
    'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'sha384:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ])('DigestRegexp matches %s', (digest) => {
    expect(DIGEST_REGEXP.test(digest)).toBe(true);
  });
  it('anchored tag: surrounding spaces do not match (TestAnchored)', () => {
    expect(setTagOrDigest(parseImage('a'), ' v1.0.0 ')).toEqual(parseImage('a'));
  });
});

describe('parseReference errors (distribution/reference, go-digest)', () => {
  const cases: [image: string, message: string][] = [
    ['', 'repository name must have at least one component'],
    ['Nginx:1.0', 'repository name must be lowercase'],
    ['registry.example.com/Org/App', 'repository name must be lowercase'],
    ['nginx:', 'invalid reference format'],
    ['nginx@sha256:abc', 'invalid reference format'],
    [':1.0', 'invalid reference format'],
    [`nginx@sha256:${SHA.slice(1)}`, 'invalid checksum digest length'],
    [`nginx@sha256:${SHA.toUpperCase()}`, 'invalid checksum digest format'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [`${'a'.repeat(256)}:1`, 'repository name must not be more than 255 characters'],
  ];
  it.each(cases)('%s → %s', (image, message) => {
    expect(() => parseReference(image)).toThrow(ImageParseError);
    expect(() => parseReference(image)).toThrow(message);
  });
  it('accepts sha512, uppercase host letters and host ports', () => {
    expect(parseReference(`Registry.Example:5000/app@sha512:${'a'.repeat(128)}`)).toEqual({
      name: 'Registry.Example:5000/app',
      tag: '',
      digest: `sha512:${'a'.repeat(128)}`,
    });
  });
});

describe('tag@digest images', () => {
  const image = `ghcr.io/org/app:1.0@sha256:${'b'.repeat(64)}`;
  it('Karmada keeps only the tag', () => {
    expect(parseImage(image)).toEqual({ hostname: 'ghcr.io', repository: 'org/app', tag: '1.0', digest: '' });
  });
  it('keepDigest keeps both and prints both', () => {
    const comp = parseImage(image, { keepDigest: true });
    expect(comp.digest).toBe(`sha256:${'b'.repeat(64)}`);
    expect(imageString(comp)).toBe(image);
    expect(imageString(removeTagOrDigest(comp))).toBe(`ghcr.io/org/app@sha256:${'b'.repeat(64)}`);
  });
});
