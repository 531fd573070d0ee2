/**
 * 32-bit Fowler–Noll–Vo hashes over the UTF-8 bytes of a string, as Go's
 * hash/fnv New32 (FNV-1) and New32a (FNV-1a). Karmada uses FNV-1a-32 of the
 * template uid for its Webster tie-break parity (pkg/util/helper/binding.go);
 * KubeFed and KubeAdmiral order clusters by FNV-1-32 (pkg/controller/util/planner).
 */

const OFFSET_BASIS_32 = 0x811c9dc5;
const PRIME_32 = 0x01000193;

const utf8 = new TextEncoder();

/** FNV-1 32-bit: multiply, then xor. Returns an unsigned 32-bit integer. */
export function fnv1_32(text: string): number {
  let hash = OFFSET_BASIS_32;
  for (const byte of utf8.encode(text)) {
    hash = Math.imul(hash, PRIME_32) ^ byte;
  }
  return hash >>> 0;
}

/** FNV-1a 32-bit: xor, then multiply. Returns an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let hash = OFFSET_BASIS_32;
  for (const byte of utf8.encode(text)) {
    hash = Math.imul(hash ^ byte, PRIME_32);
  }
  return hash >>> 0;
}
