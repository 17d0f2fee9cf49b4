import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { RecordingPipeline, type RecordingPipelineProps } from './recording-pipeline.ts';
import { CREDENTIAL_ENDPOINT_COMMAND, StackOutput } from './stack-outputs.ts';

export interface CamrecStackProps extends StackProps {
  /** @default - RecordingPipeline defaults */
  readonly pipeline?: RecordingPipelineProps;
}

/** The deployable stack: one RecordingPipeline and the outputs `camrec provision` reads. */
export class CamrecStack extends Stack {
  public readonly pipeline: RecordingPipeline;

  constructor(scope: Construct, id: string, props: CamrecStackProps = {}) {
    super(scope, id, props);
    const p = (this.pipeline = new RecordingPipeline(this, 'Cameras', props.pipeline));
    const out = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    out(StackOutput.API_URL, p.playback.url, 'Playback API base URL (POST {url}v1/cameras/{id}/sessions with SigV4)');
    out(StackOutput.BUCKET_NAME, p.store.bucket.bucketName, 'Recordings bucket');
    out(StackOutput.TABLE_NAME, p.index.table.tableName, 'Segment index table');
    out(StackOutput.ROLE_ALIAS_NAME, p.devices.roleAliasName, 'IoT role alias cameras assume (device.json credentials.roleAlias)');
    out(StackOutput.IOT_POLICY_NAME, p.devices.iotPolicyName, 'IoT policy to attach to each camera certificate');
    out(StackOutput.THING_TYPE_NAME, p.devices.thingTypeName, 'IoT thing type of cameras');
    out(StackOutput.CONTENT_KEY_ARN, p.contentKey.key.keyArn, 'KMS content-key pair (GetPublicKey for device.json)');
    out(StackOutput.SEGMENT_SECONDS, String(p.segmentSeconds), 'Segment length cameras aim for');
    out(
      StackOutput.CREDENTIAL_ENDPOINT_COMMAND,
      CREDENTIAL_ENDPOINT_COMMAND,
      'Run this to find the IoT credential provider endpoint (device.json credentials.endpoint)',
    );
    out(
      StackOutput.EVENT_BUS_NAME,
      p.cameraEvents.bus.eventBusName,
      'EventBridge bus of camrec notifications (source camrec): add rules for e-mail, push, webhooks',
    );
    out(StackOutput.EVENT_BUS_ARN, p.cameraEvents.bus.eventBusArn, 'ARN of the notification bus');
  }
}
