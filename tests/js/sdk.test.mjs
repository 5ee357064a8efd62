// Cairn through the AWS SDK for JavaScript v3, run with `node --test` by tests/python/test_js_sdk.py
// against a real server: CAIRN_ENDPOINT and the root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
// come from the environment.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Upload } from "@aws-sdk/lib-storage";

const endpoint = process.env.CAIRN_ENDPOINT;
assert.ok(endpoint, "CAIRN_ENDPOINT must name the server under test");
const root = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
};
const region = "us-east-1";

function clients(credentials) {
  const common = { endpoint, region, credentials, maxAttempts: 1 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    iam: new IAMClient(common),
    sts: new STSClient(common),
  };
}

async function bytesOf(body) {
  return Buffer.from(await body.transformToByteArray());
}

/** The SDK's error for a call that must fail, with its AWS error code. */
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("the call succeeded but must be denied");
}

test("S3: bucket, small and multipart objects, prefix listing, presigned URLs, delete", async () => {
  const { s3 } = clients(root);
  const Bucket = "js-sdk-bucket";
  await s3.send(new CreateBucketCommand({ Bucket }));

  const small = randomBytes(1024);
  await s3.send(new PutObjectCommand({ Bucket, Key: "docs/small.bin", Body: small }));

  // lib-storage splits anything above partSize into a multipart upload.
  const big = randomBytes(12 * 1024 * 1024 + 333);
  const upload = new Upload({
    client: s3,
    params: { Bucket, Key: "docs/big.bin", Body: big },
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
    leavePartsOnError: false,
  });
  let parts = 0;
  upload.on("httpUploadProgress", () => parts++);
  await upload.done();
  assert.ok(parts >= 3, `expected a multipart upload, saw ${parts} progress events`);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "docs/big.bin" }));
  assert.equal(head.ContentLength, big.length);
  assert.match(head.ETag, /-3"$/, "a three-part upload's ETag ends in -3");

  await s3.send(new PutObjectCommand({ Bucket, Key: "other/x.txt", Body: "x" }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "docs/" }));
  assert.deepEqual(
    listed.Contents.map((o) => [o.Key, o.Size]),
    [
      ["docs/big.bin", big.length],
      ["docs/small.bin", small.length],
    ],
  );

  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "docs/big.bin" }));
  assert.ok((await bytesOf(got.Body)).equals(big), "multipart object reads back byte for byte");
  const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: "docs/big.bin", Range: "bytes=5242870-5242889" }));
  assert.ok((await bytesOf(ranged.Body)).equals(big.subarray(5242870, 5242890)));

  // Presigned GET and PUT, used with plain fetch.
  const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "docs/small.bin" }), { expiresIn: 300 });
  const fetched = await fetch(getUrl);
  assert.equal(fetched.status, 200);
  assert.ok(Buffer.from(await fetched.arrayBuffer()).equals(small));
  const tampered = await fetch(getUrl.replace("small.bin", "big.bin"));
  assert.equal(tampered.status, 403, "a presigned URL is good for its own key only");
  const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "docs/presigned.txt" }), { expiresIn: 300 });
  const put = await fetch(putUrl, { method: "PUT", body: "via presigned PUT" });
  assert.equal(put.status, 200);
  const back = await s3.send(new GetObjectCommand({ Bucket, Key: "docs/presigned.txt" }));
  assert.equal(await back.Body.transformToString(), "via presigned PUT");

  await s3.send(new DeleteObjectCommand({ Bucket, Key: "other/x.txt" }));
  const deleted = await s3.send(
    new DeleteObjectsCommand({
      Bucket,
      Delete: { Objects: ["docs/small.bin", "docs/big.bin", "docs/presigned.txt"].map((Key) => ({ Key })) },
    }),
  );
  assert.equal(deleted.Deleted.length, 3);
  assert.equal((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount, 0);
  await s3.send(new DeleteBucketCommand({ Bucket }));
  const gone = await rejection(s3.send(new ListObjectsV2Command({ Bucket })));
  assert.equal(gone.name, "NoSuchBucket");
});

test("IAM: a user with a managed policy gets its allowed call and AccessDenied for the rest", async () => {
  const admin = clients(root);
  const Bucket = "js-sdk-iam";
  await admin.s3.send(new CreateBucketCommand({ Bucket }));
  await admin.s3.send(new PutObjectCommand({ Bucket, Key: "report.txt", Body: "quarterly" }));

  const { User } = await admin.iam.send(new CreateUserCommand({ UserName: "js-reader" }));
  const PolicyDocument = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${Bucket}`, `arn:aws:s3:::${Bucket}/*`],
      },
    ],
  });
  const { Policy } = await admin.iam.send(new CreatePolicyCommand({ PolicyName: "JsReadOnly", PolicyDocument }));
  await admin.iam.send(new AttachUserPolicyCommand({ UserName: "js-reader", PolicyArn: Policy.Arn }));
  const { AccessKey } = await admin.iam.send(new CreateAccessKeyCommand({ UserName: "js-reader" }));
  assert.match(AccessKey.AccessKeyId, /^AKIA/);

  const user = clients({ accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey });
  const me = await user.sts.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, User.Arn);
  assert.equal(me.UserId, User.UserId);
  const rootMe = await admin.sts.send(new GetCallerIdentityCommand({}));
  assert.equal(rootMe.Arn, `arn:aws:iam::${me.Account}:root`);

  const got = await user.s3.send(new GetObjectCommand({ Bucket, Key: "report.txt" }));
  assert.equal(await got.Body.transformToString(), "quarterly");

  const denied = await rejection(user.s3.send(new PutObjectCommand({ Bucket, Key: "report.txt", Body: "forged" })));
  assert.equal(denied.name, "AccessDenied");
  assert.equal(denied.$metadata.httpStatusCode, 403);
  const iamDenied = await rejection(user.iam.send(new CreateUserCommand({ UserName: "js-intruder" })));
  assert.equal(iamDenied.name, "AccessDenied");
  const unchanged = await admin.s3.send(new GetObjectCommand({ Bucket, Key: "report.txt" }));
  assert.equal(await unchanged.Body.transformToString(), "quarterly");
});
