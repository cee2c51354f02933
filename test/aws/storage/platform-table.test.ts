import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENTITY_INDEX } from '../../../handlers/lib/table/keys.js';
import { PlatformStorage } from '../../../infra/aws/storage/platform-storage.js';

describe('platform table: the entity index', () => {
  it('holds the one global secondary index the project queries use, with every attribute projected', () => {
    const stack = new Stack(new App(), 'StorageOnly');
    new PlatformStorage(stack, 'Storage');
    const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
    const [table] = Object.values(tables) as Array<{ Properties: Record<string, unknown> }>;
    expect(Object.keys(tables)).toHaveLength(1);
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byEntity',
        KeySchema: [
          { AttributeName: 'entity', KeyType: 'HASH' },
          { AttributeName: 'name', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(table?.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: ENTITY_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: ENTITY_INDEX.sortKey, AttributeType: 'S' },
      ]),
    );
  });
});
