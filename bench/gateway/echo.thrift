// The gateway benchmark's method: Connect JSON {"text": "..."} in, the same out.
struct EchoReply {
  1: string text
}

service Echo {
  EchoReply echo(1: string text)
}
