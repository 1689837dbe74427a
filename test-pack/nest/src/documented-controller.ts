// docs/nestjs.md, "The controller", word for word, with its imports.
import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { FattureInCloudGuard } from './guard';

@Controller('auth')
export class AuthController {
  @Get('fattureincloud')
  @UseGuards(FattureInCloudGuard)
  start(): void {} // the guard redirects to Fatture in Cloud

  @Get('fattureincloud/callback')
  @UseGuards(FattureInCloudGuard)
  callback(@Req() req: { user?: unknown }) {
    return req.user; // or issue your own JWT here
  }
}
