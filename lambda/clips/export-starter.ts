import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ClipRequest } from '../../contract/index.ts';

/** Starts a clip's export without waiting for it (the API answers at once; the client polls the clip). */
export type ClipExportStarter = (request: ClipRequest) => Promise<void>;

/** Cloud: an asynchronous invoke of the export function (Lambda queues it and retries twice on failure). */
export function lambdaExportStarter(client: LambdaClient, functionName: string): ClipExportStarter {
  return async (request) => {
    await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(request)) }));
  };
}
