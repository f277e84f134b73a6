"""Deterministic client of the redis server cell (workloads/real/programs.json, "check"): after
the load generator, a fixed script of commands over RESP; the replies are printed, and the
harness compares them with the glibc run's. Not preloaded (it is a client).

Usage: resp_check.py PORT
"""
import socket
import sys


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-", b":"):
            return (kind + rest).decode()
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.exact(n).decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected reply %r" % line)

    def call(self, *args):
        self.sock.sendall(command(*args))
        return self.reply()


def main():
    c = Conn(int(sys.argv[1]))
    print(c.call("FLUSHALL"))
    for i in range(2000):
        c.call("SET", "key:%d" % i, "v" * (i % 300) + str(i))
    for i in range(0, 2000, 97):
        print(i, c.call("GET", "key:%d" % i)[-8:])
    for i in range(500):
        c.call("RPUSH", "list", "item-%d" % i)
        c.call("HSET", "hash", "f%d" % (i % 50), i)
        c.call("SADD", "set", i % 77)
    print(c.call("LLEN", "list"), c.call("LRANGE", "list", 100, 105))
    print(c.call("HLEN", "hash"), c.call("HGET", "hash", "f7"))
    print(c.call("SCARD", "set"))
    for i in range(300):
        c.call("INCRBY", "counter", i)
    print(c.call("GET", "counter"))
    print(c.call("DEL", "list", "hash", "set"))
    print(c.call("DBSIZE"))


if __name__ == "__main__":
    main()
