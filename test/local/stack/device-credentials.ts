import { request } from 'node:https';
import type { LocalStack } from '../../../local/stack/local-stack.ts';

/** Device credentials the way a camera gets them: mutual TLS to the local IoT provider. */
export function deviceCredentials(stack: LocalStack, thing: string): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const dev = stack.pki.devices.get(thing)!;
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.iot.endpoint}/role-aliases/camrec-device/credentials`,
      { ca: stack.pki.ca.certPem, cert: dev.certPem, key: dev.keyPem, headers: { 'x-amzn-iot-thingname': thing }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body).credentials));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
