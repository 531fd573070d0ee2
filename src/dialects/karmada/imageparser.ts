/**
 * Container image references the way Karmada's imageOverrider sees them
 * (`pkg/util/imageparser/parser.go`, `lifted.go`): parsed with the
 * distribution/reference grammar (`reference.Parse`, no docker.io
 * normalisation), then split with Karmada's own SplitHostname, where the first
 * path segment is a host only if it contains `.` or `:` or is `localhost`.
 *
 * Karmada keeps either the tag or the digest: `Parse` stores the digest only
 * when there is no tag, so `app:1.0@sha256:…` comes back as `app:1.0`. The
 * opt-in `keepDigest` keeps both (a Manifold extension, reference §1.8).
 */
import { ManifoldError } from '../../errors/index.ts';

/** The parts of an image: `[hostname/]repository[:tag][@digest]`. */
export interface ImageComponents {
  /** Registry host, optionally with port (`registry.k8s.io`, `localhost:5000`); '' if none. */
  hostname: string;
  /** Slash-separated path without the host (`library/nginx`). */
  repository: string;
  tag: string;
  /** `algorithm:hex`, without the `@`. */
  digest: string;
}

/** An image string that distribution/reference rejects. */
export class ImageParseError extends ManifoldError {
  constructor(image: string, reason: string) {
    super('IMAGE_INVALID', reason, { image, reason });
  }
}

// distribution/reference regexp.go (the revision Karmada vendors). Its separator
// `[-]*` is written `-+` here: same language, no catastrophic backtracking.
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*`;
// lifted.go TagRegexp and DigestRegexp.
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';

const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
export const TAG_REGEXP = new RegExp(TAG);
export const DIGEST_REGEXP = new RegExp(DIGEST);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST = new RegExp(`^${DIGEST}$`);

/** reference.NameTotalLengthMax */
const NAME_TOTAL_LENGTH_MAX = 255;

/** go-digest hex lengths for the algorithms Karmada links in (crypto/sha256, crypto/sha512). */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** reference.Parse: name, tag and digest as written; throws ImageParseError with upstream's messages. */
export function parseReference(image: string): { name: string; tag: string; digest: string } {
  const match = REFERENCE.exec(image);
  if (match === null) {
    if (image === '') throw new ImageParseError(image, 'repository name must have at least one component');
    if (REFERENCE.test(image.toLowerCase())) throw new ImageParseError(image, 'repository name must be lowercase');
    throw new ImageParseError(image, 'invalid reference format');
  }
  const name = match[1] ?? '';
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new ImageParseError(image, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const digest = match[3] ?? '';
  if (digest !== '') validateDigest(image, digest);
  return { name, tag: match[2] ?? '', digest };
}

/** go-digest Digest.Validate. */
function validateDigest(image: string, digest: string): void {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    // go-digest DigestRegexpAnchored decides between a malformed and an unknown algorithm.
    const wellFormed = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(algorithm);
    throw new ImageParseError(image, wellFormed ? 'unsupported digest algorithm' : 'invalid checksum digest format');
  }
  if (encoded.length !== length) throw new ImageParseError(image, 'invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new ImageParseError(image, 'invalid checksum digest format');
}

/** imageparser.Parse. With `keepDigest`, a `tag@digest` image keeps both. */
export function parseImage(image: string, options: { keepDigest?: boolean | undefined } = {}): ImageComponents {
  const ref = parseReference(image);
  const [hostname, repository] = splitHostname(ref.name);
  const keepDigest = ref.tag === '' || options.keepDigest === true;
  return { hostname, repository, tag: ref.tag, digest: keepDigest ? ref.digest : '' };
}

/** imageparser.SplitHostname. */
export function splitHostname(name: string): [hostname: string, repository: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return ['', name];
  const first = name.slice(0, slash);
  if (!/[.:]/.test(first) && first !== 'localhost') return ['', name];
  return [first, name.slice(slash + 1)];
}

/** Components.FullRepository. */
export function fullRepository(c: ImageComponents): string {
  return c.hostname === '' ? c.repository : `${c.hostname}/${c.repository}`;
}

/**
 * Components.String: `host/repo` plus `:tag`, else `@digest`. Both appear
 * only when the digest was kept on purpose (`keepDigest`).
 */
export function imageString(c: ImageComponents): string {
  return fullRepository(c) + (c.tag !== '' ? `:${c.tag}` : '') + (c.digest !== '' ? `@${c.digest}` : '');
}

/** Components.TagOrDigest. */
export function tagOrDigest(c: ImageComponents): string {
  return c.tag !== '' ? c.tag : c.digest;
}

/**
 * Components.SetTagOrDigest: a valid tag replaces tag and digest; a valid
 * `algo:hex` (no leading `@`) replaces both with the digest; anything else
 * leaves the image unchanged.
 */
export function setTagOrDigest(c: ImageComponents, input: string): ImageComponents {
  if (ANCHORED_TAG.test(input)) return { ...c, tag: input, digest: '' };
  if (ANCHORED_DIGEST.test(input)) return { ...c, tag: '', digest: input };
  return c;
}

/** Components.RemoveTagOrDigest: the tag if there is one, else the digest. */
export function removeTagOrDigest(c: ImageComponents): ImageComponents {
  return c.tag !== '' ? { ...c, tag: '' } : { ...c, digest: '' };
}
