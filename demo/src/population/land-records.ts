// Land administration data sets (內政部地政司): land register and actual-price register.
import type { Citizen } from './citizen.ts';
import type { FieldValue } from './dataset-fields.ts';

type Row = Record<string, FieldValue>;

export function cadastral(citizen: Citizen): Row[] {
  return citizen.land.map((parcel) => ({
    city: parcel.city,
    district: parcel.district,
    section: parcel.section,
    lot_number: parcel.lotNumber,
    land_use: parcel.landUse,
    area_m2: parcel.lotAreaM2,
    ownership_share: `${parcel.share[0]}/${parcel.share[1]}`,
    announced_value_per_m2: parcel.announcedValuePerM2,
    registration_date: parcel.registered,
    registration_cause: parcel.cause,
  }));
}

export function realPrice(citizen: Citizen): Row[] {
  return citizen.purchases.map((purchase) => ({
    transaction_date: purchase.date,
    address_range: purchase.addressRange,
    building_type: purchase.buildingType,
    floor: purchase.floorInfo,
    total_price: purchase.totalPrice,
    building_area_m2: purchase.buildingAreaM2,
    land_area_m2: purchase.landAreaM2,
    unit_price_per_m2: Math.round(purchase.totalPrice / purchase.buildingAreaM2),
  }));
}
