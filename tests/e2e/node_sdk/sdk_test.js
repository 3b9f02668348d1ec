// Drives a running vdbd through the Milvus Node SDK's HttpClient (REST v2), the way an application
// would: create a collection, insert, search, query, get, delete, drop, asserting every answer.
// Usage: node sdk_test.js http://127.0.0.1:PORT    Exits non-zero on the first mismatch.
'use strict';

const assert = require('node:assert/strict');
const { HttpClient } = require('@zilliz/milvus2-sdk-node');

const endpoint = process.argv[2];
if (!endpoint) {
  console.error('usage: node sdk_test.js http://HOST:PORT');
  process.exit(2);
}

const client = new HttpClient({ endpoint, timeout: 30000 });
const collectionName = 'node_sdk_e2e';
const dim = 4;
const rowCount = 100;

// Row i has vector [i, i+1, i+2, i+3] / 100 and a scalar field `tag` ("t" + i % 3).
function vectorOf(i) {
  return [0, 1, 2, 3].map((k) => (i + k) / 100);
}

// Every call must answer code 0; returns the envelope.
async function ok(what, promise) {
  const res = await promise;
  if (res.code !== 0) {
    throw new Error(`${what}: code ${res.code}: ${res.message}`);
  }
  return res;
}

async function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitLoaded() {
  for (let i = 0; i < 300; i++) {
    const res = await ok('getCollectionLoadState', client.getCollectionLoadState({ collectionName }));
    if (res.data.loadState === 'LoadStateLoaded') return;
    await sleep(100);
  }
  throw new Error(`${collectionName} never reached LoadStateLoaded`);
}

// The SDK sends Accept-Type-Allow-Int64: false, so Int64 ids come back as strings.
function ids(rows) {
  return rows.map((r) => String(r.id)).sort((a, b) => Number(a) - Number(b));
}

async function main() {
  // A leftover from an earlier run would make the counts below wrong.
  await ok('dropCollection (idempotent)', client.dropCollection({ collectionName }));

  // The custom form: Int64 primary key, a VarChar scalar and the vector, with a FLAT index (loads).
  await ok(
    'createCollection',
    client.createCollection({
      collectionName,
      schema: {
        autoID: false,
        enableDynamicField: false,
        fields: [
          { fieldName: 'id', dataType: 'Int64', isPrimary: true },
          { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: 16 } },
          { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim } },
        ],
      },
      indexParams: [{ fieldName: 'vector', indexName: 'vector', indexType: 'FLAT', metricType: 'L2' }],
    })
  );
  const has = await ok('hasCollection', client.hasCollection({ collectionName }));
  assert.equal(has.data.has, true, 'hasCollection after create');
  const described = await ok('describeCollection', client.describeCollection({ collectionName }));
  assert.equal(described.data.collectionName, collectionName);
  assert.ok(described.data.fields.some((f) => f.name === 'id' && f.primaryKey), 'id is the primary key');
  await waitLoaded();

  const data = [];
  for (let i = 0; i < rowCount; i++) {
    data.push({ id: i, vector: vectorOf(i), tag: `t${i % 3}` });
  }
  const inserted = await ok('insert', client.insert({ collectionName, data }));
  assert.equal(inserted.data.insertCount, rowCount, 'insertCount');
  assert.equal(inserted.data.insertIds.length, rowCount, 'insertIds');
  assert.equal(String(inserted.data.insertIds[7]), '7', 'insertIds keep the input order');

  // Search for row 42's own vector: it is the nearest, at distance 0, then its neighbours.
  const searched = await ok(
    'search',
    client.search({
      collectionName,
      data: [vectorOf(42)],
      limit: 3,
      outputFields: ['tag'],
      consistencyLevel: 'Strong',
    })
  );
  assert.equal(searched.data.length, 3, 'search returns limit hits');
  assert.equal(String(searched.data[0].id), '42', 'nearest hit');
  assert.ok(Math.abs(searched.data[0].distance) < 1e-6, `distance of the exact match: ${searched.data[0].distance}`);
  assert.equal(searched.data[0].tag, 't0', 'output field');
  assert.deepEqual(ids(searched.data.slice(1)), ['41', '43'], 'next nearest');
  assert.ok(searched.data[1].distance <= searched.data[2].distance, 'L2 ascending');

  // Two query vectors: the SDK splits the flat rows with topks.
  const two = await ok(
    'search nq=2',
    client.search({ collectionName, data: [vectorOf(3), vectorOf(90)], limit: 2, consistencyLevel: 'Strong' })
  );
  assert.equal(two.data.length, 2, 'one result list per query');
  assert.equal(String(two.data[0][0].id), '3');
  assert.equal(String(two.data[1][0].id), '90');

  const got = await ok('get', client.get({ collectionName, id: [5, 6, 1000], outputFields: ['id', 'vector', 'tag'], consistencyLevel: 'Strong' }));
  assert.deepEqual(ids(got.data), ['5', '6'], 'get returns the existing ids only');
  const five = got.data.find((r) => String(r.id) === '5');
  assert.equal(five.tag, 't2');
  five.vector.forEach((x, k) => assert.ok(Math.abs(x - vectorOf(5)[k]) < 1e-6, 'vector round trip'));

  const queried = await ok(
    'query',
    client.query({ collectionName, filter: 'id in [1, 2, 3, 99]', outputFields: ['id', 'tag'], consistencyLevel: 'Strong' })
  );
  assert.deepEqual(ids(queried.data), ['1', '2', '3', '99']);

  const countBefore = await ok(
    'count',
    client.query({ collectionName, filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' })
  );
  assert.equal(Number(countBefore.data[0]['count(*)']), rowCount, 'count(*) after insert');

  await ok('delete', client.delete({ collectionName, filter: 'id in [1, 2, 3]' }));
  const afterDelete = await ok(
    'query after delete',
    client.query({ collectionName, filter: 'id in [1, 2, 3, 4]', outputFields: ['id'], consistencyLevel: 'Strong' })
  );
  assert.deepEqual(ids(afterDelete.data), ['4'], 'deleted rows are gone');
  const countAfter = await ok(
    'count after delete',
    client.query({ collectionName, filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' })
  );
  assert.equal(Number(countAfter.data[0]['count(*)']), rowCount - 3, 'count(*) after delete');
  const searchAfter = await ok(
    'search after delete',
    client.search({ collectionName, data: [vectorOf(2)], limit: 1, consistencyLevel: 'Strong' })
  );
  assert.notEqual(String(searchAfter.data[0].id), '2', 'a deleted row is not a search hit');

  await ok('dropCollection', client.dropCollection({ collectionName }));
  const gone = await ok('hasCollection after drop', client.hasCollection({ collectionName }));
  assert.equal(gone.data.has, false, 'hasCollection after drop');
  console.log('node sdk e2e: all checks passed');
}

main().catch((err) => {
  console.error(`node sdk e2e FAILED: ${err.stack || err}`);
  process.exit(1);
});
