"""Apache Thrift's Python THeaderTransport/THeaderProtocol as a peer of kitewire.

    theader_peer.py server GEN_DIR
        Serves example.UserService with THeaderProtocolFactory (header clients only) on
        127.0.0.1, a free port, which it prints as one line; serves until stdin closes.
        ping answers with the request's info headers and the reply carries the header
        served-by=python; a ping with header want-zlib=1 gets a zlib reply; contactOf(n)
        answers n e-mail addresses.

    theader_peer.py client GEN_DIR PORT PROTOCOL ZLIB
        Calls a server at 127.0.0.1:PORT through THeaderProtocol (PROTOCOL binary or
        compact; ZLIB 1 adds the zlib transform) with header tenant=acme, and prints one
        JSON line: what each call returned and the reply headers.
"""
import json
import sys
import threading

sys.path.insert(0, sys.argv[2])

from thrift.protocol.THeaderProtocol import THeaderProtocol, THeaderProtocolFactory  # noqa: E402
from thrift.server.TServer import TThreadedServer  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from thrift.transport.THeaderTransport import THeaderClientType, THeaderSubprotocolID, THeaderTransformID  # noqa: E402
from thrift.Thrift import TApplicationException  # noqa: E402

from example import UserService  # noqa: E402
from example.ttypes import Contact, NotFound  # noqa: E402

PROTOCOLS = {"binary": THeaderSubprotocolID.BINARY, "compact": THeaderSubprotocolID.COMPACT}
current = threading.local()


def text(headers):
    return {k.decode(): v.decode() for k, v in sorted(headers.items())}


class Handler:
    def ping(self, message):
        proto = current.proto
        headers = text(proto.get_headers())
        proto.set_header(b"served-by", b"python")
        # THeaderTransport keeps its write transforms for good: set them per reply.
        proto.trans._write_transforms = [THeaderTransformID.ZLIB] if headers.get("want-zlib") == "1" else []
        return "py pong: %s %s" % (message, json.dumps(headers, sort_keys=True))

    def getUser(self, id, base):
        if id < 0:
            raise NotFound(message="py: no user %d" % id, id=id)
        # THeaderProtocol encodes with the C extension, which writes a User as an empty
        # struct (its thrift_spec is empty: the IDL gives User a negative field id).
        raise NotFound(message="py: users cannot be written", id=id)

    def contactOf(self, id, hint):
        current.proto.trans._write_transforms = []
        return Contact(emails=["p%d" % i for i in range(id)])


class Processor(UserService.Processor):
    """Lets the handler see the connection's protocol (its headers) while it serves."""

    def process(self, iprot, oprot):
        current.proto = iprot
        return super().process(iprot, oprot)


def serve(gen_dir):
    socket = TSocket.TServerSocket(host="127.0.0.1", port=0)
    factory = THeaderProtocolFactory(allowed_client_types=(THeaderClientType.HEADERS,))
    server = TThreadedServer(Processor(Handler()), socket, TTransport.TTransportFactoryBase(), factory, daemon=True)
    socket.listen()
    port = socket.handle.getsockname()[1]
    socket.listen = lambda: None  # already listening
    threading.Thread(target=server.serve, daemon=True).start()
    print(port, flush=True)
    sys.stdin.read()


def call(port, protocol, zlib):
    sock = TSocket.TSocket("127.0.0.1", int(port))
    proto = THeaderProtocol(sock, (THeaderClientType.HEADERS,), PROTOCOLS[protocol])
    if zlib == "1":
        proto.add_transform(THeaderTransformID.ZLIB)
    client = UserService.Client(proto)
    sock.open()
    out = {}
    proto.set_header(b"tenant", b"acme")
    out["ping"] = client.ping("hi")
    out["pingHeaders"] = text(proto.get_headers())
    contact = client.contactOf(200, Contact(phone="1"))
    out["contact"] = {"emails": contact.emails}
    try:
        client.getUser(-3, None)
        out["notFound"] = None
    except NotFound as e:
        out["notFound"] = {"message": e.message, "id": e.id}
    try:
        client.ping("boom")
        out["appError"] = None
    except TApplicationException as e:
        out["appError"] = {"type": e.type, "message": e.message}
    sock.close()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2])
    else:
        call(*sys.argv[3:6])
