//! A full disk: PUTs fail with a retryable AWS error, what is stored stays readable, and writes
//! resume once space is freed. Needs a small filesystem: a tmpfs mounted for the test (as root;
//! skipped, saying so, where mounting is not allowed).

use crate::harness::*;

/// A tmpfs of `mib` MiB mounted on a temporary directory, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(mib: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_refuses_writes_keeps_reads_and_recovers() {
    let Some(disk) = SmallDisk::mount(24) else {
        eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
        return;
    };
    let root = disk.dir.path();
    let data_dir = root.join("data");
    std::fs::create_dir(&data_dir).unwrap();
    // What the operator deletes to free space later.
    let ballast = root.join("ballast");
    std::fs::write(&ballast, vec![0u8; 6 << 20]).unwrap();

    let mut s = Server::start_in(&data_dir, None);
    let c = s.client();
    c.create_bucket().bucket("full").send().await.unwrap();
    let keep = data(100_000, 1);
    c.put_object()
        .bucket("full")
        .key("keep")
        .body(keep.clone().into())
        .send()
        .await
        .unwrap();

    let mut acked = Vec::new();
    let mut refused = None;
    for i in 0..64u8 {
        let body = data(1 << 20, i);
        match c
            .put_object()
            .bucket("full")
            .key(format!("k{i}"))
            .body(body.clone().into())
            .send()
            .await
        {
            Ok(_) => acked.push((format!("k{i}"), body)),
            Err(e) => {
                refused = Some((code(&e), status(&e)));
                break;
            }
        }
    }
    let (code_seen, status_seen) = refused.expect("the disk filled up");
    assert_eq!(
        (code_seen.as_str(), status_seen),
        ("ServiceUnavailable", 503),
        "a full disk is a retryable 503"
    );
    assert!(!acked.is_empty());

    // Reads keep working, and nothing stored was damaged.
    let check = |c: aws_sdk_s3::Client, acked: Vec<(String, Vec<u8>)>, keep: Vec<u8>| async move {
        let got = c
            .get_object()
            .bucket("full")
            .key("keep")
            .send()
            .await
            .unwrap();
        assert_eq!(body_bytes(got).await, keep);
        for (key, body) in &acked {
            let got = c.get_object().bucket("full").key(key).send().await.unwrap();
            assert_eq!(&body_bytes(got).await, body, "{key} intact");
        }
        let listed = c.list_objects_v2().bucket("full").send().await.unwrap();
        assert_eq!(listed.contents().len(), acked.len() + 1, "listing agrees");
    };
    check(c.clone(), acked.clone(), keep.clone()).await;

    // Space freed: writes resume without a restart.
    std::fs::remove_file(&ballast).unwrap();
    let after = data(1 << 20, 200);
    c.put_object()
        .bucket("full")
        .key("after")
        .body(after.clone().into())
        .send()
        .await
        .expect("writes resume once space is freed");
    acked.push(("after".into(), after));

    // And all of it survives a restart.
    s.kill();
    let s2 = Server::start_in(&data_dir, None);
    check(s2.client(), acked, keep).await;
    drop(s2);
}
