import { CacheInterceptor } from '@nestjs/cache-manager';
import { Controller, Get, Param, ParseIntPipe, UseInterceptors } from '@nestjs/common';
import { KitDetail } from './fkapi-dist';
import { PeerKitsService } from './peer-kits.service';

/** Response caching as the NestJS docs show it: `CacheInterceptor`, keyed by the request URL. */
@Controller('api')
@UseInterceptors(CacheInterceptor)
export class PeerKitsController {
  constructor(private readonly kits: PeerKitsService) {}

  @Get('kits/:id')
  findOne(@Param('id', ParseIntPipe) id: number): Promise<KitDetail> {
    return this.kits.findOne(id);
  }
}
