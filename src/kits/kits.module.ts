import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClubsModule } from '../clubs/clubs.module';
import { Kit } from './kit.entity';
import { KitsController } from './kits.controller';
import { KitsRepository } from './kits.repository';
import { KitsService } from './kits.service';

@Module({
  imports: [TypeOrmModule.forFeature([Kit]), ClubsModule],
  controllers: [KitsController],
  providers: [KitsRepository, KitsService],
  exports: [KitsRepository],
})
export class KitsModule {}
