"""The Python grpcio side of kitewire's gRPC interop tests (tests/peers/grpc-interop.test.ts).

`interop_peer.py GEN_DIR server`: serves grpc.testing.TestService on 127.0.0.1 (a free
port, printed as `PORT <n>`), as the interop suite's servers do, until stdin closes.
`interop_peer.py GEN_DIR client PORT CASE...`: runs interop cases against a server,
printing one JSON line per case: {"case", "ok", "detail"}.

GEN_DIR holds the Python code `grpc_tools.protoc` generated from tests/peers/grpc/proto
at test time.
"""
import json
import sys
import threading
import time
from concurrent import futures

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import empty_pb2  # noqa: E402
import messages_pb2  # noqa: E402
import test_pb2_grpc  # noqa: E402

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


def payload(size):
    return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=b"\0" * size)


class TestService(test_pb2_grpc.TestServiceServicer):
    def _echo_metadata(self, context):
        md = dict(context.invocation_metadata())
        if ECHO_INITIAL in md:
            context.send_initial_metadata(((ECHO_INITIAL, md[ECHO_INITIAL]),))
        if ECHO_TRAILING in md:
            context.set_trailing_metadata(((ECHO_TRAILING, md[ECHO_TRAILING]),))

    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        self._echo_metadata(context)
        if request.response_status.code != 0:
            context.abort(grpc.StatusCode(_code(request.response_status.code)), request.response_status.message)
        if request.HasField("response_compressed"):
            context.set_compression(grpc.Compression.Gzip if request.response_compressed.value else grpc.Compression.NoCompression)
        return messages_pb2.SimpleResponse(payload=payload(request.response_size))

    CacheableUnaryCall = UnaryCall

    def StreamingOutputCall(self, request, context):
        for p in request.response_parameters:
            if p.interval_us:
                time.sleep(p.interval_us / 1e6)
            yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))

    def StreamingInputCall(self, request_iterator, context):
        total = sum(len(r.payload.body) for r in request_iterator)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        self._echo_metadata(context)
        for request in request_iterator:
            if request.response_status.code != 0:
                context.abort(grpc.StatusCode(_code(request.response_status.code)), request.response_status.message)
            for p in request.response_parameters:
                if p.interval_us:
                    time.sleep(p.interval_us / 1e6)
                yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))

    def HalfDuplexCall(self, request_iterator, context):
        requests = list(request_iterator)
        for request in requests:
            for p in request.response_parameters:
                yield messages_pb2.StreamingOutputCallResponse(payload=payload(p.size))


def _code(n):
    for c in grpc.StatusCode:
        if c.value[0] == n:
            return c.value
    raise ValueError(n)


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"PORT {port}", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    server.stop(0.5).wait()


# ---- client cases ---------------------------------------------------------------------

def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_status(fn, code, message=None):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, f"status {e.code()} ({e.details()!r}), want {code}")
        if message is not None:
            check(e.details() == message, f"message {e.details()!r}, want {message!r}")
        return e
    raise AssertionError(f"succeeded, want {code}")


def empty_unary(stub, channel):
    check(stub.EmptyCall(empty_pb2.Empty()) == empty_pb2.Empty(), "not Empty")


def large_unary(stub, channel):
    r = stub.UnaryCall(messages_pb2.SimpleRequest(response_type=messages_pb2.COMPRESSABLE, response_size=314159, payload=payload(271828)))
    check(len(r.payload.body) == 314159 and r.payload.body == b"\0" * 314159, f"payload of {len(r.payload.body)} bytes")


def client_streaming(stub, channel):
    sizes = [27182, 8, 1828, 45904]
    r = stub.StreamingInputCall(iter([messages_pb2.StreamingInputCallRequest(payload=payload(s)) for s in sizes]))
    check(r.aggregated_payload_size == 74922, f"aggregated {r.aggregated_payload_size}")


def server_streaming(stub, channel):
    sizes = [31415, 9, 2653, 58979]
    req = messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=s) for s in sizes])
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(req)]
    check(got == sizes, f"sizes {got}")


class Requests:
    """A request iterator the test feeds one request at a time (ping-pong)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._items = []
        self._done = False

    def put(self, item):
        with self._cond:
            self._items.append(item)
            self._cond.notify()

    def close(self):
        with self._cond:
            self._done = True
            self._cond.notify()

    def __iter__(self):
        return self

    def __next__(self):
        with self._cond:
            while not self._items and not self._done:
                self._cond.wait()
            if self._items:
                return self._items.pop(0)
            raise StopIteration


def ping_pong(stub, channel):
    pairs = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
    requests = Requests()
    responses = stub.FullDuplexCall(requests)
    for size, body in pairs:
        requests.put(messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=size)], payload=payload(body)))
        r = next(responses)
        check(len(r.payload.body) == size, f"size {len(r.payload.body)}, want {size}")
    requests.close()
    check(next(responses, None) is None, "a response after the last")


def empty_stream(stub, channel):
    check(list(stub.FullDuplexCall(iter([]))) == [], "responses to no requests")


def timeout_on_sleeping_server(stub, channel):
    requests = Requests()
    requests.put(messages_pb2.StreamingOutputCallRequest(payload=payload(27182)))
    responses = stub.FullDuplexCall(requests, timeout=0.001)
    expect_status(lambda: list(responses), grpc.StatusCode.DEADLINE_EXCEEDED)
    requests.close()


def cancel_after_begin(stub, channel):
    requests = Requests()
    future = stub.StreamingInputCall.future(requests)
    future.cancel()
    check(future.cancelled(), "not cancelled")
    requests.close()


def cancel_after_first_response(stub, channel):
    requests = Requests()
    responses = stub.FullDuplexCall(requests)
    requests.put(messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=31415)], payload=payload(27182)))
    r = next(responses)
    check(len(r.payload.body) == 31415, "first response size")
    responses.cancel()
    expect_status(lambda: next(responses), grpc.StatusCode.CANCELLED)
    requests.close()


def _status_case(stub, message):
    status = messages_pb2.EchoStatus(code=2, message=message)
    expect_status(lambda: stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status)), grpc.StatusCode.UNKNOWN, message)
    responses = stub.FullDuplexCall(iter([messages_pb2.StreamingOutputCallRequest(response_status=status)]))
    expect_status(lambda: list(responses), grpc.StatusCode.UNKNOWN, message)


def status_code_and_message(stub, channel):
    _status_case(stub, "test status message")


def special_status_message(stub, channel):
    _status_case(stub, SPECIAL)


def custom_metadata(stub, channel):
    md = ((ECHO_INITIAL, "test_initial_metadata_value"), (ECHO_TRAILING, b"\xab\xab\xab"))
    r, call = stub.UnaryCall.with_call(messages_pb2.SimpleRequest(response_size=314159, payload=payload(271828)), metadata=md)
    check(dict(call.initial_metadata()).get(ECHO_INITIAL) == "test_initial_metadata_value", f"initial {call.initial_metadata()}")
    check(dict(call.trailing_metadata()).get(ECHO_TRAILING) == b"\xab\xab\xab", f"trailing {call.trailing_metadata()}")
    responses = stub.FullDuplexCall(iter([messages_pb2.StreamingOutputCallRequest(response_parameters=[messages_pb2.ResponseParameters(size=314159)],
                                                                                    payload=payload(271828))]), metadata=md)
    list(responses)
    check(dict(responses.initial_metadata()).get(ECHO_INITIAL) == "test_initial_metadata_value", "stream initial")
    check(dict(responses.trailing_metadata()).get(ECHO_TRAILING) == b"\xab\xab\xab", "stream trailing")


def unimplemented_method(stub, channel):
    expect_status(lambda: stub.UnimplementedCall(empty_pb2.Empty()), grpc.StatusCode.UNIMPLEMENTED)


def unimplemented_service(stub, channel):
    other = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_status(lambda: other.UnimplementedCall(empty_pb2.Empty()), grpc.StatusCode.UNIMPLEMENTED)


def client_compressed_unary(stub, channel):
    # The probe: a server that checks compression refuses an uncompressed request that says it is compressed.
    expect_status(lambda: stub.UnaryCall(messages_pb2.SimpleRequest(expect_compressed=messages_pb2.BoolValue(value=True), response_size=314159,
                                                                        payload=payload(271828))), grpc.StatusCode.INVALID_ARGUMENT)
    for compressed in (True, False):
        r = stub.UnaryCall(messages_pb2.SimpleRequest(expect_compressed=messages_pb2.BoolValue(value=compressed), response_size=314159,
                                                      payload=payload(271828)),
                           compression=grpc.Compression.Gzip if compressed else grpc.Compression.NoCompression)
        check(len(r.payload.body) == 314159, "payload size")


def server_compressed_unary(stub, channel):
    for compressed in (True, False):
        r = stub.UnaryCall(messages_pb2.SimpleRequest(response_compressed=messages_pb2.BoolValue(value=compressed), response_size=314159,
                                                      payload=payload(271828)))
        check(len(r.payload.body) == 314159, "payload size")


CASES = {f.__name__: f for f in [empty_unary, large_unary, client_streaming, server_streaming, ping_pong, empty_stream,
                                  timeout_on_sleeping_server, cancel_after_begin, cancel_after_first_response, status_code_and_message,
                                  special_status_message, custom_metadata, unimplemented_method, unimplemented_service,
                                  client_compressed_unary, server_compressed_unary]}


def run_client(port, cases):
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = test_pb2_grpc.TestServiceStub(channel)
        for name in cases:
            try:
                CASES[name](stub, channel)
                print(json.dumps({"case": name, "ok": True}), flush=True)
            except Exception as e:  # noqa: BLE001 - each case reports its own failure
                print(json.dumps({"case": name, "ok": False, "detail": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    if sys.argv[2] == "server":
        serve()
    else:
        run_client(int(sys.argv[3]), sys.argv[4:])
