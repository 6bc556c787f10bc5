// Email through SMTP (nodemailer): the notifier's only way out.
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}
export interface Mailer {
  send(msg: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

export interface SmtpOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  from: string;
}

export function createMailer(o: SmtpOptions): Mailer {
  const transport = nodemailer.createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure,
    pool: true,
    maxConnections: 2,
    auth: o.user ? { user: o.user, pass: o.pass } : undefined,
    // A local relay often has no certificate; STARTTLS is used when offered.
    tls: { rejectUnauthorized: false },
    connectionTimeout: 10_000,
  });
  return {
    async send(msg) {
      const info = await transport.sendMail({ from: o.from, ...msg });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
