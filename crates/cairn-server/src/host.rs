//! Virtual-hosted-style addressing: `BUCKET.DOMAIN` names the bucket; any other host
//! (an IP, `localhost`, the bare domain) is path-style.

use s3s::S3Result;
use s3s::host::{S3Host, VirtualHost};

pub struct BaseDomain {
    pub domain: String,
}

impl S3Host for BaseDomain {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        let name = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        let vh = VirtualHost::new(self.domain.as_str());
        match name
            .strip_suffix(self.domain.as_str())
            .and_then(|b| b.strip_suffix('.'))
        {
            Some(bucket) if !bucket.is_empty() => Ok(vh.with_bucket(bucket)),
            _ => Ok(vh),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_comes_from_the_subdomain_only() {
        let h = BaseDomain {
            domain: "s3.local".into(),
        };
        assert_eq!(
            h.parse_host_header("photos.s3.local:9000")
                .unwrap()
                .bucket(),
            Some("photos")
        );
        assert_eq!(
            h.parse_host_header("a.b.s3.local").unwrap().bucket(),
            Some("a.b")
        );
        assert_eq!(h.parse_host_header("s3.local:9000").unwrap().bucket(), None);
        assert_eq!(
            h.parse_host_header("127.0.0.1:9000").unwrap().bucket(),
            None
        );
        assert_eq!(h.parse_host_header("xs3.local").unwrap().bucket(), None);
    }
}
