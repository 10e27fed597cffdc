// Tax-administration data sets (財政部財政資訊中心): income, property, income tax certificate.
import type { Citizen, Vehicle } from './citizen.ts';
import { REFERENCE_DATE, yearOf } from './dates.ts';
import type { FieldValue } from './dataset-fields.ts';
import { incomeWithWithholding, TAX_YEAR, taxReturnOf } from './tax-filing.ts';

type Row = Record<string, FieldValue>;

export function income(citizen: Citizen, population: readonly Citizen[]): Row[] {
  return incomeWithWithholding(citizen, population).map((source) => ({
    tax_year: TAX_YEAR,
    payer_name: source.payer,
    payer_tax_id: source.payerTaxId,
    income_type: source.type,
    income_code: source.code,
    amount: source.amount,
    withholding: source.withholding,
  }));
}

function fraction([numerator, denominator]: readonly [number, number]): string {
  return `${numerator}/${denominator}`;
}

/** Vehicles lose about 15% of their value a year; the register never shows less than a tenth of the new price. */
function vehicleValue(vehicle: Vehicle): number {
  const age = Math.max(0, yearOf(REFERENCE_DATE) - vehicle.manufactureYear);
  return Math.round(Math.max(vehicle.newPrice * 0.1, vehicle.newPrice * 0.85 ** age) / 1_000) * 1_000;
}

/** Shares are listed at their par value of TWD 10, as the tax administration does. */
const PAR_VALUE = 10;

export function property(citizen: Citizen): Row[] {
  const land = citizen.land.map((parcel) => ({
    category: '土地',
    description: parcel.landUse,
    identifier: `${parcel.city}${parcel.district}${parcel.section}${parcel.lotNumber}地號`,
    area_m2: parcel.lotAreaM2,
    share: fraction(parcel.share),
    quantity: null,
    acquired_date: parcel.registered,
    assessed_value: Math.round((parcel.lotAreaM2 * parcel.share[0] * parcel.announcedValuePerM2) / parcel.share[1]),
  }));
  const buildings = citizen.buildings.map((building) => ({
    category: '房屋',
    description: building.buildingType,
    identifier: building.address,
    area_m2: building.areaM2,
    share: fraction(building.share),
    quantity: null,
    acquired_date: building.acquired,
    assessed_value: building.assessedValue,
  }));
  const vehicles = citizen.vehicles.map((vehicle) => ({
    category: vehicle.kind === 'car' ? '汽車' : '機車',
    description: `${vehicle.make} ${vehicle.model} ${vehicle.engineCc}cc ${vehicle.manufactureYear}年出廠`,
    identifier: vehicle.plate,
    area_m2: null,
    share: '1/1',
    quantity: null,
    acquired_date: vehicle.firstRegistered,
    assessed_value: vehicleValue(vehicle),
  }));
  const investments = citizen.shareholdings.map((holding) => ({
    category: '投資',
    description: '上市(櫃)公司股票',
    identifier: holding.company,
    area_m2: null,
    share: null,
    quantity: holding.shares,
    acquired_date: null,
    assessed_value: holding.shares * PAR_VALUE,
  }));
  return [...land, ...buildings, ...vehicles, ...investments];
}

/** Issued to the taxpayer and the spouse on the joint return; dependants hold no certificate of their own. */
export function incomeTaxCertificate(citizen: Citizen, population: readonly Citizen[]): Row[] {
  const taxReturn = taxReturnOf(citizen, population);
  if (!taxReturn || (taxReturn.unit.taxpayer !== citizen && taxReturn.unit.spouse !== citizen)) return [];
  return [
    {
      tax_year: TAX_YEAR,
      taxpayer_name: taxReturn.unit.taxpayer.name,
      spouse_name: taxReturn.unit.spouse?.name ?? null,
      total_income: taxReturn.totalIncome,
      exemptions: taxReturn.exemptions,
      deductions: taxReturn.deductions,
      net_taxable_income: taxReturn.netTaxableIncome,
      tax_payable: taxReturn.taxPayable,
      tax_withheld: taxReturn.withheld,
      tax_paid: Math.max(0, taxReturn.balance),
      tax_refund: Math.max(0, -taxReturn.balance),
      paid_date: taxReturn.paidDate,
      tax_office: taxReturn.taxOffice,
    },
  ];
}
