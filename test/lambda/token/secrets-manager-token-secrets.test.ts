import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { secretsManagerTokenSecrets } from '../../../lambda/token/secrets-manager-token-secrets.ts';

describe('token secrets from Secrets Manager', () => {
  it('signs with AWSCURRENT, verifies current and previous, refuses others without another call, caches 5 min', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 's', VersionStage: 'AWSCURRENT' }).resolves({ VersionId: 'v2', SecretString: 'x'.repeat(40) });
    sm.on(GetSecretValueCommand, { SecretId: 's', VersionStage: 'AWSPREVIOUS' }).resolves({ VersionId: 'v1', SecretString: 'y'.repeat(40) });
    let now = 0;
    const secrets = secretsManagerTokenSecrets(new SecretsManagerClient({ region: 'eu-west-1' }), 's', { nowMs: () => now });
    expect(await secrets.signing()).toEqual({ version: 'v2', secret: Buffer.from('x'.repeat(40)) });
    expect(await secrets.verifying('v1')).toEqual(Buffer.from('y'.repeat(40)));
    expect(await secrets.verifying('v0')).toBeUndefined();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    now = 5 * 60 * 1000 + 1;
    await secrets.verifying('v2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(4);
    sm.restore();
  });

  it('works before the first rotation (no AWSPREVIOUS)', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ VersionId: 'v1', SecretString: 'x'.repeat(40) });
    sm.on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' }).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    const secrets = secretsManagerTokenSecrets(new SecretsManagerClient({ region: 'eu-west-1' }), 's', { nowMs: () => 0 });
    expect((await secrets.signing()).version).toBe('v1');
    sm.restore();
  });
});
