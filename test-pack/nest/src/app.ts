import 'reflect-metadata';
import { Controller, Get, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';
import { FattureInCloudGuard, FattureInCloudParamsGuard } from './guard';
import { FattureInCloudAuthStrategy, FattureInCloudParamsStrategy } from './strategies';

interface SignedIn {
  user?: unknown;
}

@Controller('auth')
class AuthController {
  /** Redirects to Fatture in Cloud's consent page: the guard never lets the handler run. */
  @Get('fattureincloud')
  @UseGuards(FattureInCloudGuard)
  start(): void {}

  @Get('fattureincloud/callback')
  @UseGuards(FattureInCloudGuard)
  callback(@Req() req: SignedIn) {
    return { user: req.user };
  }

  @Get('params')
  @UseGuards(FattureInCloudParamsGuard)
  startWithParams(): void {}

  @Get('params/callback')
  @UseGuards(FattureInCloudParamsGuard)
  callbackWithParams(@Req() req: SignedIn) {
    return { user: req.user };
  }
}

@Module({ controllers: [AuthController], providers: [FattureInCloudAuthStrategy, FattureInCloudParamsStrategy] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  // Webhooks, as docs/webhooks.md says for NestJS: the handler on the underlying Express app.
  const received: { type: string; ids: number[] }[] = [];
  const webhooks = new FattureInCloudWebhooks({ sink: `${process.env.APP_URL}/webhooks/fattureincloud`, keys: process.env.FIC_WEBHOOK_PUBLIC_KEY, appID: process.env.FIC_APP_ID });
  webhooks.onAny((event) => void received.push({ type: event.type, ids: event.ids }));
  app.use(webhooks.handler);
  app.use('/received', (_req: unknown, res: { json(body: unknown): void }) => res.json(received));
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  console.log('listening');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
