/** Kubernetes name rules, enforced because names become file and directory names. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns what is wrong with a DNS-1123 label (namespaces), or undefined. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length > 63) return `"${name}" is longer than 63 characters`;
  if (!DNS1123_LABEL.test(name)) return `"${name}" must be a DNS-1123 label (lower-case letters, digits and '-')`;
  return undefined;
}

/** Returns what is wrong with a DNS-1123 subdomain (cluster names), or undefined. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return `"${name}" is longer than 253 characters`;
  if (!DNS1123_SUBDOMAIN.test(name)) return `"${name}" must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')`;
  return undefined;
}

/**
 * apimachinery IsValidPathSegmentName plus a length limit: the rule every
 * object name obeys (RBAC names may contain ':'), and what keeps a name from
 * escaping its folder: no '/', no '%', not '.' or '..', no control characters.
 */
export function objectNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `"${name}" is not a valid name`;
  if (name.length > 253) return `"${name.slice(0, 40)}…" is longer than 253 characters`;
  if (/[/%\\]/.test(name)) return `"${name}" may not contain '/', '\\' or '%'`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `"${JSON.stringify(name)}" contains control characters`;
  return undefined;
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A string quoted for a message: control characters escaped, long ones cut. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/**
 * What is wrong with a kind, or undefined. The API server's rule for kinds it
 * serves: apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go
 * ValidateCustomResourceDefinitionNames, `IsDNS1035Label(strings.ToLower(names.Kind))`
 * (mixed case, otherwise a DNS-1035 label: a letter first, at most 63 characters).
 * It also keeps a kind a single, ordinary folder name.
 */
export function kindProblem(kind: string): string | undefined {
  if (kind.length > 63) return `kind ${quoted(kind)} is longer than 63 characters`;
  if (!DNS1035_LABEL.test(kind.toLowerCase())) return `kind ${quoted(kind)} may have mixed case, but should otherwise be a DNS-1035 label (a letter first, then letters, digits and '-')`;
  return undefined;
}

/**
 * What is wrong with an apiVersion, or undefined: `version` or `group/version`,
 * the group a DNS-1123 subdomain (apimachinery IsDNS1123Subdomain, as
 * ValidateCustomResourceDefinitionSpec checks spec.group) and the version a
 * DNS-1035 label (as it checks spec.versions[*].name).
 */
export function apiVersionProblem(apiVersion: string): string | undefined {
  const parts = apiVersion.split('/');
  if (parts.length > 2) return `apiVersion ${quoted(apiVersion)} must be VERSION or GROUP/VERSION`;
  const version = parts[parts.length - 1] as string;
  const group = parts.length === 2 ? (parts[0] as string) : undefined;
  if (group !== undefined && (group.length > 253 || !DNS1123_SUBDOMAIN.test(group))) {
    return `apiVersion ${quoted(apiVersion)}: the group must be a DNS-1123 subdomain of at most 253 characters (lower-case letters, digits, '-' and '.')`;
  }
  if (version.length > 63 || !DNS1035_LABEL.test(version)) {
    return `apiVersion ${quoted(apiVersion)}: the version must be a DNS-1035 label (lower-case letters, digits and '-', a letter first)`;
  }
  return undefined;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** apimachinery pkg/util/validation IsValidLabelValue: at most 63 characters, alphanumerics with '-', '_', '.' inside. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `label value ${quoted(value)} is longer than 63 characters`;
  if (!LABEL_VALUE.test(value)) return `label value ${quoted(value)} must be empty or alphanumerics with '-', '_' or '.' between them`;
  return undefined;
}

/** apimachinery pkg/util/validation IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain, name like a label value but not empty. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  const name = parts[parts.length - 1] as string;
  const prefix = parts.length === 2 ? (parts[0] as string) : undefined;
  if (parts.length > 2) return `key ${quoted(key)} may contain at most one '/'`;
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return `key ${quoted(key)}: the prefix must be a DNS-1123 subdomain`;
  if (name === '' || name.length > 63 || !LABEL_VALUE.test(name)) return `key ${quoted(key)}: the name must be 1-63 alphanumerics with '-', '_' or '.' between them`;
  return undefined;
}
