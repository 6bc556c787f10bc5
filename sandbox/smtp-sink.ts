// A local SMTP server that keeps what it receives: the demo's mailbox and the tests' inbox.
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
  at: number;
}

export interface SmtpSink {
  port: number;
  host: string;
  mails: ReceivedMail[];
  /** Resolves with the next mail (or one already there beyond `after`). */
  waitForMail(after?: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

function header(raw: string, name: string): string {
  const m = raw.match(new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'mi'));
  return m ? m[1].replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

function bodyOf(raw: string): string {
  const i = raw.search(/\r?\n\r?\n/);
  const body = i < 0 ? '' : raw.slice(i).trim();
  // nodemailer sends quoted-printable for long lines: undo soft breaks and =XX escapes.
  if (/^Content-Transfer-Encoding:\s*quoted-printable/im.test(raw)) {
    return Buffer.from(
      body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
  return body;
}

export async function startSmtpSink(opts: { port?: number; host?: string } = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: header(raw, 'Subject'),
          text: bodyOf(raw),
          at: Date.now(),
        });
        waiters.splice(0).forEach((w) => w());
        cb();
      });
    },
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, host, () => res());
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    host,
    mails,
    waitForMail(after = mails.length, timeoutMs = 15_000) {
      return new Promise((res, rej) => {
        const check = () => {
          if (mails.length > after) {
            clearTimeout(t);
            res(mails[after]);
            return true;
          }
          return false;
        };
        const t = setTimeout(() => rej(new Error('no mail arrived')), timeoutMs);
        if (!check())
          waiters.push(() => {
            if (!check()) waiters.push(() => void check());
          });
      });
    },
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}
