//! Objects Cairn writes on its own behalf (server access logs), through the same ingest and
//! commit path as a client's PUT — so they get checksums, versions and durability alike.

use super::CairnS3;
use crate::s3::ingest::{Claims, MAX_PUT_SIZE, ingest};
use crate::time::now_ms;
use bytes::Bytes;
use cairn_meta::{ObjectAttrs, ObjectRecord, Segment};
use s3s::S3Result;
use s3s::dto::StreamingBlob;

impl CairnS3 {
    pub(crate) async fn store_internal(
        &self,
        bucket: &str,
        key: &str,
        data: Vec<u8>,
        content_type: &str,
    ) -> S3Result<()> {
        let body = StreamingBlob::wrap(futures::stream::once(async move {
            Ok::<_, std::io::Error>(Bytes::from(data))
        }));
        // Encrypted like a client's PUT would be, under the bucket's default encryption.
        let protection = self
            .protect_new_object(bucket, Default::default(), None)
            .await?;
        let ingested = ingest(
            &self.state.blobs,
            protection.wrap(self.state.master.key_wrap()),
            Some(body),
            &Claims::default(),
            MAX_PUT_SIZE,
        )
        .await?;
        let object = ObjectRecord {
            bucket: bucket.to_string(),
            key: key.to_string(),
            version_id: self.next_version_id(bucket).await?,
            size: ingested.size,
            etag: ingested.md5_hex(),
            last_modified: now_ms(),
            layout: vec![Segment {
                blob: ingested.blob.clone(),
                size: ingested.size,
            }],
            attrs: {
                let mut attrs = ObjectAttrs {
                    content_type: Some(content_type.to_string()),
                    checksums: ingested.checksums.clone(),
                    ..Default::default()
                };
                protection.record(&mut attrs);
                attrs
            },
            tags: vec![],
        };
        self.commit_object(&object).await
    }
}
