/**
 * CDK app entry (cdk.json runs `npx tsx bin/app.ts`). Environment-agnostic: the account
 * and region come from the CLI profile at deploy time, so `cdk synth` needs no AWS
 * credentials. `-c stackName=Name` deploys a second copy.
 */
import { buildCamrecApp } from '../lib/camrec-app.ts';

const { app } = buildCamrecApp();
app.synth();
