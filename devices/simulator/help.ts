/** The text of `hms-lab simulate --help`. */
export const SIMULATE_HELP = `Usage: hms-lab simulate (--serial PATH | --connect HOST:PORT | --listen [HOST:]PORT) [options] FILE

Plays a lab analyzer: replays the messages of a capture FILE to a host (LIS) with the handshake of
their protocol, ASTM E1381 or HL7 over MLLP, and reports what the host answered.

FILE: the protocol and shape are detected from the bytes.
  ASTM  frames as sent on the line (STX, frame number, text, ETB or ETX, checksum), with or
        without ENQ and EOT: an analyzer capture or a decoded log. The text of each frame is
        taken whatever its checksum; a frame repeated with the same number after a bad checksum
        or with the same text counts once.
        Or records as text, one per line (CR, LF or CR LF).
        A message starts at each H record; records before the first H record are left out.
  HL7   MLLP blocks (VT, message, FS, CR); bytes between blocks are skipped.
        Or segments as text, one per line; a message starts at each MSH line, and batch
        segments (FHS, BHS, BTS, FTS) are left out.
  Either, as a log that writes control characters as [STX], [CR], [VT] and so on: lines
        starting with "- " (the other side's replies) and the log's own line breaks are dropped.
  ASTM messages are sent in new frames of at most 247 bytes with new frame numbers and correct
  checksums. HL7 text is sent with segments ended by CR; MLLP payloads are sent byte for byte.

Connection (exactly one):
  --serial PATH             serial port, such as /dev/ttyUSB0, COM3 or a socat pty link
    --baud N                bits per second (default 9600)
    --data-bits N           5, 6, 7 or 8 (default 8)
    --parity P              none, even, odd, mark or space (default none)
    --stop-bits N           1, 1.5 or 2 (default 1)
  --connect HOST:PORT       connect to a host that listens (TCP client)
  --listen [HOST:]PORT      listen until the host connects (TCP server); HOST defaults to
                            127.0.0.1, and port 0 picks a free port, which is printed

Sending:
  --repeat N                send the capture N times (default 1); 0 repeats until Ctrl-C
  --delay-ms MS             wait between two messages, in milliseconds (default 0)
  --resend N                send a message up to N more times when its transfer failed
                            (default 0); an HL7 message the host answered AE or AR is not resent
  --protocol astm|hl7       skip protocol detection
  --open-timeout-ms MS      wait for the connection to open (default 30000)

Timing (milliseconds; the ASTM defaults are those of E1381 for an instrument):
  --reply-timeout-ms MS     ASTM: wait for the host's reply to our ENQ or frame (default 15000)
  --receive-timeout-ms MS   ASTM: wait for the host's next frame when it sends to us (default 30000)
  --busy-retry-ms MS        ASTM: wait after the host NAKs our ENQ (default 10000)
  --contention-retry-ms MS  ASTM: wait after both sides sent ENQ at once (default 1000)
  --ack-timeout-ms MS       HL7: wait for the ACK of each message (default 30000)
  --silence-ms MS           how long the timeout fault stays silent (default 31000, longer than
                            the 30 s receive timeout of E1381)

Faults: --fault KIND[:SETTING=VALUE,...], repeatable, one fault per message. A fault acts once, on
the first attempt of its message; --resend decides whether the message is sent again.
  bad-checksum              ASTM: frame N goes out with a wrong checksum; the host must NAK it
                            and accept the retransmission (frame default 1)
  lost-ack                  ignore the host's ACK (ASTM: of frame N, default 1) and let the reply
                            timeout (ASTM) or the ACK timeout (HL7) run out
  timeout                   stop before frame N (ASTM, default the last frame) or halfway
                            through the MLLP block (HL7), and stay silent for --silence-ms
  interrupt-eot             ASTM: send EOT instead of frame N (default the last frame)
  interrupt-close           close the connection before frame N (ASTM, default the last frame)
                            or halfway through the block (HL7), then open it again
  broken-mllp               HL7: send the block without its end, FS CR (part=end, the default),
                            or without its start, VT (part=start)
  Settings: message=M (the M-th message sent in this run, repeats included; default 1),
  frame=N (ASTM), part=end|start (broken-mllp). Example: --fault bad-checksum:frame=2,message=3

Output:
  One line per step: faults injected and the host's answers, messages accepted or not, and a
  summary. Message content is never printed.
  --json                    one JSON object per line (the events, with a "time" field) instead
  --verbose                 also list every ACKed frame, connection attempt and message start
  --help                    print this help

Environment:
  HMS_LOG_LEVEL             write the connection's log lines (JSON) to standard error at this
                            level: error, warn, info or debug (default: none)

Exit status: 0 when every message was accepted and the host answered every fault as its protocol
requires, 1 otherwise, 2 for invalid arguments or a capture that cannot be read.
`;
