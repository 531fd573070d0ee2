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
