"""Google's batch protocol: many API calls in one ``multipart/mixed`` request.

Each part is an ``application/http`` request (request line, headers, body)
with a ``Content-ID``; the answer is a ``multipart/mixed`` 200 whose parts are
HTTP responses with ``Content-ID: <response-ID>``. A part that fails gets its
own error response; the batch itself still answers 200.

The parser is written by hand rather than with :mod:`email` because bodies are
UTF-8 JSON and the parts' transfer encoding is "binary".
"""

import re

from werkzeug.datastructures import Headers

from . import errors
from .calendar_api import ApiRequest, ApiResponse

MAX_PARTS = 1000
_BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_REASONS = {
    200: "OK",
    204: "No Content",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    410: "Gone",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


def _split_head(blob):
    """Split ``headers<blank line>body`` (CRLF or LF) into (header lines, body)."""
    candidates = [(blob.find(sep), sep) for sep in (b"\r\n\r\n", b"\n\n")]
    candidates = [(pos, sep) for pos, sep in candidates if pos >= 0]
    if not candidates:
        return blob.decode("utf-8", "replace").splitlines(), b""
    pos, sep = min(candidates)
    return blob[:pos].decode("utf-8", "replace").splitlines(), blob[pos + len(sep) :]


def _headers(lines):
    headers = Headers()
    for line in lines:
        if line[:1] in (" ", "\t") and headers:
            key, value = list(headers.items())[-1]
            headers.set(key, value + " " + line.strip())
        elif ":" in line:
            key, value = line.split(":", 1)
            headers.add(key.strip(), value.strip())
    return headers


def parse_batch(content_type, body):
    """A list of (content id, ApiRequest or ApiError) from a batch request body."""
    if not content_type.lower().startswith("multipart/mixed"):
        raise errors.bad_request("Batch requests must be multipart/mixed.")
    match = _BOUNDARY_RE.search(content_type)
    if not match:
        raise errors.bad_request("Missing multipart boundary.")
    delimiter = b"--" + match.group(1).encode("ascii")
    parts = []
    for segment in body.split(delimiter)[1:]:
        if segment.startswith(b"--"):
            break
        for newline in (b"\r\n", b"\n"):
            if segment.startswith(newline):
                segment = segment[len(newline) :]
                break
        for newline in (b"\r\n", b"\n"):
            if segment.endswith(newline):
                segment = segment[: -len(newline)]
                break
        head, content = _split_head(segment)
        part_headers = _headers(head)
        content_id = part_headers.get("Content-ID", "").strip()
        if content_id.startswith("<") and content_id.endswith(">"):
            content_id = content_id[1:-1]
        parts.append((content_id, _parse_part(part_headers, content)))
    if not parts:
        raise errors.bad_request("Empty batch request.")
    if len(parts) > MAX_PARTS:
        raise errors.bad_request(
            "A batch request cannot contain more than %d calls." % MAX_PARTS,
            reason="batchSizeTooLarge",
        )
    return parts


def _parse_part(part_headers, content):
    if part_headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/http":
        return errors.bad_request("Batch parts must be application/http.")
    content = content.lstrip(b"\r\n")
    line, _, rest = content.partition(b"\n")
    words = line.decode("utf-8", "replace").strip().split()
    if len(words) < 2:
        return errors.bad_request("Malformed request line in batch part.")
    if rest.startswith((b"\r\n", b"\n")):
        head, request_body = [], rest.lstrip(b"\r\n")
    else:
        head, request_body = _split_head(rest)
    return ApiRequest.from_target(words[0], words[1], _headers(head), request_body.strip())


def build_batch(responses, boundary):
    """The multipart/mixed body for [(content id, ApiResponse)]."""
    chunks = []
    for content_id, response in responses:
        status_line = "HTTP/1.1 %d %s" % (response.status, _REASONS.get(response.status, "Unknown"))
        inner = [status_line]
        for key, value in response.headers.items():
            inner.append("%s: %s" % (key, value))
        inner.append("Content-Length: %d" % len(response.body))
        head = "--%s\r\nContent-Type: application/http\r\nContent-ID: <response-%s>\r\n\r\n" % (
            boundary,
            content_id,
        )
        chunks.append(
            head.encode("utf-8")
            + "\r\n".join(inner).encode("utf-8")
            + b"\r\n\r\n"
            + response.body
            + b"\r\n"
        )
    chunks.append(("--%s--\r\n" % boundary).encode("ascii"))
    return b"".join(chunks)


def run_batch(emu, path, content_type, body, outer_token):
    """Execute a batch HTTP request; returns an ApiResponse-like triple.

    The batch as a whole can be faulted (target "request"): then no part runs.
    Otherwise every part is an ordinary call (target "part"), authenticated by
    its own Authorization header or, failing that, by the batch's.
    """
    entry = emu.log.add(
        method="POST",
        path=path,
        in_batch=False,
        email=emu.oauth.owner_of(outer_token) if outer_token else None,
    )
    fault = emu.faults.draw("request")
    try:
        if fault:
            if fault == "401" and outer_token:
                emu.oauth.expire_access_token(outer_token)
            raise emu.faults.error(fault)
        parts = parse_batch(content_type, body)
        entry["batch_size"] = len(parts)
        results = []
        for content_id, request in parts:
            if isinstance(request, errors.ApiError):
                emu.log.add(
                    method="?",
                    path="?",
                    in_batch=True,
                    status=request.status,
                    reason=request.reason,
                )
                results.append((content_id, ApiResponse.from_error(request)))
            else:
                results.append(
                    (content_id, emu.api.call(request, in_batch=True, fallback_token=outer_token))
                )
        boundary = "batch_" + emu.store.new_secret("", 24).replace("-", "x")
        response = ApiResponse(200)
        response.body = build_batch(results, boundary)
        response.headers["Content-Type"] = "multipart/mixed; boundary=%s" % boundary
    except errors.ApiError as exc:
        response = ApiResponse.from_error(exc)
    entry.update(status=response.status, fault=fault, reason=response.reason)
    return response
