/**
 * Container image references as KubeAdmiral's image overrider handles them
 * (pkg/controllers/override/imageparse.go): parsed with
 * github.com/distribution/reference Parse (grammar in its regexp.go, digests
 * validated by go-digest), split into registry and repository the way
 * docker's normalize.go does, edited per component, and printed back as
 * `registry/repository:tag@digest`.
 */

export interface ImageParts {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

export class ImageError extends Error {}

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const HOST = `(?:${DOMAIN_NAME}|\\[(?:[a-fA-F0-9:]+)\\])`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST = new RegExp(`^${DIGEST}$`);
const NAME_TOTAL_LENGTH_MAX = 255;

/** go-digest algorithms the binary registers (crypto/sha256 and crypto/sha512). */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** digest.Parse → Digest.Validate. */
function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return 'unsupported digest algorithm';
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return undefined;
}

/** SplitRegistryAndRepository: the first segment is a registry only if it has `.` or `:` or is localhost. */
export function splitRegistryAndRepository(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { registry: '', repository: name };
  const first = name.slice(0, slash);
  if (!/[.:]/.test(first) && first !== 'localhost') return { registry: '', repository: name };
  return { registry: first, repository: name.slice(slash + 1) };
}

/** ParseImage. Throws ImageError with distribution/reference's messages. */
export function parseImage(fullName: string): ImageParts {
  const match = REFERENCE.exec(fullName);
  if (match === null) {
    if (fullName === '') throw new ImageError('repository name must have at least one component');
    if (REFERENCE.test(fullName.toLowerCase())) throw new ImageError('repository name must be lowercase');
    throw new ImageError('invalid reference format');
  }
  const name = match[1] as string;
  if (name.length > NAME_TOTAL_LENGTH_MAX) throw new ImageError(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const digest = match[3] ?? '';
  if (digest !== '') {
    const problem = digestProblem(digest);
    if (problem) throw new ImageError(problem);
  }
  return { ...splitRegistryAndRepository(name), tag: match[2] ?? '', digest };
}

export function formatImage(image: ImageParts): string {
  let full = image.registry !== '' ? `${image.registry}/${image.repository}` : image.repository;
  if (image.tag !== '') full += `:${image.tag}`;
  if (image.digest !== '') full += `@${image.digest}`;
  return full;
}

export type ImageOperator = 'addIfAbsent' | 'overwrite' | 'delete';

/** operateImageComponent. */
function operateComponent(oldValue: string, operator: string, value: string): string {
  switch (operator) {
    case 'addIfAbsent':
      if (value === '') throw new ImageError('addIfAbsent operation needs value');
      if (oldValue !== '') throw new ImageError('addIfAbsent is not allowed to operate on non-empty value');
      return value;
    case 'overwrite':
      return value;
    case 'delete':
      return '';
    default:
      throw new ImageError(`unsupported operator: ${operator}`);
  }
}

export interface ImageOperation {
  imageComponent: 'Registry' | 'Repository' | 'Tag' | 'Digest';
  operator?: ImageOperator | undefined;
  value?: string | undefined;
}

/** applyImageOverrider: every operation in order on one parsed image; operator defaults to overwrite. */
export function applyImageOperations(oldImage: string, operations: readonly ImageOperation[]): string {
  let image: ImageParts;
  try {
    image = parseImage(oldImage);
  } catch (error) {
    throw new ImageError(`parse image failed(${oldImage}), error: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const op of operations) {
    const operator = op.operator ?? 'overwrite';
    const value = op.value ?? '';
    switch (op.imageComponent) {
      case 'Registry':
        image.registry = operateComponent(image.registry, operator, value);
        break;
      case 'Repository':
        image.repository = operateComponent(image.repository, operator, value);
        break;
      case 'Tag': {
        const tag = operateComponent(image.tag, operator, value);
        if (tag !== '' && !ANCHORED_TAG.test(tag)) throw new ImageError('invalid tag format after applying the overrider');
        image.tag = tag;
        break;
      }
      case 'Digest': {
        const digest = operateComponent(image.digest, operator, value);
        if (digest !== '' && !ANCHORED_DIGEST.test(digest)) throw new ImageError('invalid digest format after applying the overrider');
        image.digest = digest;
        break;
      }
    }
  }
  return formatImage(image);
}
