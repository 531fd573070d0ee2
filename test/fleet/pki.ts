// Certificates and keys for the test fleet: one CA, one serving certificate for
// 127.0.0.1 shared by all API servers, an admin client certificate
// (O=system:masters), and a service-account key pair per cluster. X.509
// certificates are made with the openssl CLI (Node cannot create them); plain
// key pairs with node:crypto.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** PEM text of the CA certificate. */
  caPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('Test fleet: the `openssl` CLI is needed to create certificates but is not installed');
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function createPki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  const p = (f: string): string => join(dir, f);
  await openssl(
    ['req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=manifold-test-fleet-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    dir,
  );
  writeFileSync(
    p('serving.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
      '',
    ].join('\n'),
  );
  writeFileSync(
    p('client.ext'),
    ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth', ''].join('\n'),
  );
  await Promise.all([
    openssl(['req', ...ecKey, '-keyout', 'serving.key', '-out', 'serving.csr', '-subj', '/CN=kube-apiserver'], dir),
    openssl(['req', ...ecKey, '-keyout', 'admin.key', '-out', 'admin.csr', '-subj', '/O=system:masters/CN=manifold-admin'], dir),
  ]);
  await Promise.all([
    openssl(['x509', '-req', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '2', '-days', '30',
      '-extfile', 'serving.ext', '-out', 'serving.crt'], dir),
    openssl(['x509', '-req', '-in', 'admin.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '3', '-days', '30',
      '-extfile', 'client.ext', '-out', 'admin.crt'], dir),
  ]);
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('serving.crt'),
    servingKey: p('serving.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    caPem: readFileSync(p('ca.crt'), 'utf8'),
    adminCertPem: readFileSync(p('admin.crt'), 'utf8'),
    adminKeyPem: readFileSync(p('admin.key'), 'utf8'),
  };
}

/** An ECDSA P-256 key pair for signing service-account tokens (ES256). */
export function writeServiceAccountKeys(dir: string): { publicKey: string; privateKey: string } {
  mkdirSync(dir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const pub = join(dir, 'sa.pub');
  const key = join(dir, 'sa.key');
  writeFileSync(pub, publicKey);
  writeFileSync(key, privateKey, { mode: 0o600 });
  return { publicKey: pub, privateKey: key };
}
