"""Export files in the exports bucket: written as a multipart upload part by part while the
rows are read (no file is ever whole in memory or bounded by a request), and handed out as a
short-lived presigned link."""

from datetime import datetime, timedelta
from typing import Any

from ordersync.core import aws
from ordersync.exports.settings import export_settings

# S3 takes parts of 5 MiB and more (the last may be smaller); 8 MiB keeps a job's memory small
# and a 10,000-part upload up to 80 GB.
PART_BYTES = 8 * 1024 * 1024


class MultipartSink:
    """A write-only binary sink whose bytes become the parts of one S3 object."""

    def __init__(self, key: str, content_type: str, bucket: str | None = None) -> None:
        self.bucket = bucket or export_settings().exports_bucket
        self.key = key
        self.written = 0
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id = aws.s3().create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )["UploadId"]

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        self.written += len(data)
        while len(self._buffer) >= PART_BYTES:
            self._upload(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]
        return len(data)

    def flush(self) -> None:
        """Parts go out when they are full; a part smaller than 5 MiB may only be the last."""

    def complete(self) -> None:
        if self._buffer or not self._parts:
            self._upload(bytes(self._buffer))
            self._buffer.clear()
        aws.s3().complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},  # type: ignore[typeddict-item]
        )

    def abort(self) -> None:
        """Drop the parts uploaded so far (S3 keeps, and bills, an unfinished upload's parts;
        the bucket's lifecycle also aborts any left after a day)."""
        aws.s3().abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)

    def _upload(self, data: bytes) -> None:
        number = len(self._parts) + 1
        answer = aws.s3().upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id, PartNumber=number, Body=data
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})


def download_link(
    key: str, filename: str, content_type: str, now: datetime
) -> tuple[str, datetime]:
    """A presigned GET of the file that downloads under its name, and when it stops working."""
    seconds = export_settings().export_link_seconds
    url = aws.s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": export_settings().exports_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": content_type,
        },
        ExpiresIn=seconds,
    )
    return url, now + timedelta(seconds=seconds)
