"""A tiny stand-in for the original Python LAN chat, written for Vecino's tests.

It behaves as issue 6 describes the original: greets on accept with Vecino_<octet>, reads the
first chunk as the greeting when connecting, sends each message raw with sendall, treats each
recv(1024) chunk as one message, and recognises a call by the substring "llamado desde".

Usage: classic_chat.py serve | classic_chat.py connect HOST PORT
stdin:  send HEX | call IP HEX | quit          (HEX = UTF-8 bytes in hex)
stdout: listening PORT | greeting HEX | msg HEX | call HEX | closed
"""
import socket
import sys
import threading

conns = []
lock = threading.Lock()


def out(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def reader(s):
    while True:
        try:
            data = s.recv(1024)
        except OSError:
            break
        if not data:
            break
        kind = "call" if "llamado desde" in data.decode("utf-8", "replace") else "msg"
        out(kind + " " + data.hex())
    out("closed")


def serve():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    out("listening %d" % srv.getsockname()[1])

    def loop():
        while True:
            c, addr = srv.accept()
            c.sendall(("Vecino_" + addr[0].split(".")[-1]).encode("utf-8"))
            conns.append(c)
            threading.Thread(target=reader, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def connect(host, port):
    c = socket.create_connection((host, port), timeout=5)
    c.settimeout(None)
    out("greeting " + c.recv(1024).hex())
    conns.append(c)
    threading.Thread(target=reader, args=(c,), daemon=True).start()


def main():
    if sys.argv[1] == "serve":
        serve()
    else:
        connect(sys.argv[2], int(sys.argv[3]))
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        if parts[0] == "send":
            for c in conns:
                c.sendall(bytes.fromhex(parts[1]))
        elif parts[0] == "call":
            for c in conns:
                c.sendall(("Estás siendo llamado desde " + parts[1]).encode("utf-8"))
                c.sendall(bytes.fromhex(parts[2]))
    for c in conns:
        c.close()


main()
