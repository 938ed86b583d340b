"""Real stores on 127.0.0.1 for the publish tests: moto's S3 server (started here)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_s3(bucket: str = "podcast") -> Iterator[str]:
    """A moto S3 server with a public-read bucket; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    for key, value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(key, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:HeadObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    try:
        yield endpoint
    finally:
        server.stop()


@contextlib.contextmanager
def sftp_server(root, keys) -> Iterator[int]:
    """An asyncssh SFTP server in a thread, serving `root` (chrooted) to the client key made in `keys`;
    yields its port. The client key is keys/client, the host key keys/host."""
    import asyncio
    import threading

    import asyncssh

    host_key, client_key = asyncssh.generate_private_key("ssh-ed25519"), asyncssh.generate_private_key("ssh-ed25519")
    host_key.write_private_key(str(keys / "host"))
    client_key.write_private_key(str(keys / "client"))
    client_key.write_public_key(str(keys / "client.pub"))
    loop = asyncio.new_event_loop()
    started: dict = {}

    def sftp_factory(chan):
        return asyncssh.SFTPServer(chan, chroot=str(root).encode())

    async def start():
        started["server"] = await asyncssh.listen(
            "127.0.0.1", 0, server_host_keys=[str(keys / "host")], authorized_client_keys=str(keys / "client.pub"),
            sftp_factory=sftp_factory, allow_scp=False)

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    server = started["server"]
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
