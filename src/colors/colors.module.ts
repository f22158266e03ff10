import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ColorInvalidation } from './color.invalidation';
import { Color } from './color.entity';
import { ColorsController } from './colors.controller';
import { ColorsRepository } from './colors.repository';
import { ColorsService } from './colors.service';

@Module({
  imports: [TypeOrmModule.forFeature([Color])],
  controllers: [ColorsController],
  providers: [ColorInvalidation, ColorsRepository, ColorsService],
  exports: [ColorsService],
})
export class ColorsModule {}
