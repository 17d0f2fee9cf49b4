/**
 * Writes the JSON Schema of every notification detail type to lambda/notify/schemas/, from
 * the zod definitions in contract/notification-events.ts (the one source). `npm run
 * schemas`; test/lambda/notify/notification-schemas.test.ts fails when a file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NotificationType, notificationJsonSchema, schemaFileName } from '../contract/index.ts';

const dir = fileURLToPath(new URL('../lambda/notify/schemas/', import.meta.url));
for (const type of Object.values(NotificationType)) {
  writeFileSync(`${dir}${schemaFileName(type)}`, `${JSON.stringify(notificationJsonSchema(type), null, 2)}\n`);
  console.log(`wrote lambda/notify/schemas/${schemaFileName(type)}`);
}
