import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CITIZENS, householdOf } from '../../src/population/citizens.ts';
import { REFERENCE_DATE } from '../../src/population/dates.ts';
import { DATASET_AGENCY, DATASET_FIELDS, DATASET_IDS, type DatasetId, type FieldValue, recordsFor } from '../../src/population/records.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function rows(datasetId: DatasetId, nationalId: string): Array<Record<string, FieldValue>> {
  return recordsFor(datasetId, nationalId)?.records ?? [];
}

describe('data set catalogue', () => {
  it('describes all 15 data sets with unique snake_case field ids', () => {
    assert.equal(DATASET_IDS.length, 15);
    assert.deepEqual(Object.keys(DATASET_FIELDS).sort(), [...DATASET_IDS].sort());
    assert.deepEqual(Object.keys(DATASET_AGENCY).sort(), [...DATASET_IDS].sort());
    for (const id of DATASET_IDS) {
      const ids = DATASET_FIELDS[id].map((f) => f.id);
      assert.equal(new Set(ids).size, ids.length, id);
      for (const field of DATASET_FIELDS[id]) {
        assert.match(field.id, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
        assert.ok(field.name['zh-TW'] && field.name.en);
      }
    }
  });
});

describe('recordsFor', () => {
  it('returns null for an unknown person, even with a valid ID', () => {
    for (const id of DATASET_IDS) {
      assert.equal(recordsFor(id, 'Z999999999'), null);
      assert.equal(recordsFor(id, 'A100000001'), null);
      assert.equal(recordsFor(id, ''), null);
    }
  });

  it('has data on A123456789 in every data set', () => {
    for (const id of DATASET_IDS) {
      const result = recordsFor(id, 'A123456789');
      assert.ok(result && result.records.length > 0, id);
    }
  });

  it('holds nothing on some people for vehicles, low-income and other data sets', () => {
    const emptyFor = (id: DatasetId) => CITIZENS.filter((c) => recordsFor(id, c.nationalId) === null);
    assert.ok(emptyFor('vehicles').length > 0);
    assert.ok(emptyFor('low-income').length > 0);
    for (const id of ['id-card-image', 'labour-insurance', 'driver-licence', 'traffic-violations', 'cadastral', 'real-price'] as const) {
      assert.ok(emptyFor(id).length > 0, id);
    }
  });

  it('answers every known person for the household register', () => {
    for (const citizen of CITIZENS) {
      assert.equal(rows('household-personal', citizen.nationalId).length, 1);
      assert.ok(rows('household-whole', citizen.nationalId).length >= 1);
      assert.ok(rows('nhi-enrolment', citizen.nationalId).length >= 1, citizen.name);
    }
  });

  it('uses exactly the declared field ids, with values of the declared types', () => {
    for (const citizen of CITIZENS) {
      for (const id of DATASET_IDS) {
        const fields = DATASET_FIELDS[id];
        const expected = fields.map((f) => f.id).sort();
        for (const record of rows(id, citizen.nationalId)) {
          assert.deepEqual(Object.keys(record).sort(), expected, `${id} for ${citizen.nationalId}`);
          for (const field of fields) {
            const value = record[field.id];
            if (value === null) continue;
            const where = `${id}.${field.id} = ${String(value).slice(0, 40)}`;
            switch (field.type) {
              case 'date':
                assert.ok(typeof value === 'string' && ISO_DATE.test(value), where);
                break;
              case 'number':
                assert.ok(typeof value === 'number' && Number.isFinite(value), where);
                break;
              case 'boolean':
                assert.equal(typeof value, 'boolean', where);
                break;
              case 'image':
                assert.ok(typeof value === 'string' && /^[A-Za-z0-9+/]+=*$/.test(value), where);
                break;
              case 'string':
                assert.equal(typeof value, 'string', where);
                break;
            }
          }
        }
      }
    }
  });

  it('lists every household member at the same address as their personal record', () => {
    for (const citizen of CITIZENS) {
      const whole = rows('household-whole', citizen.nationalId);
      const personal = rows('household-personal', citizen.nationalId)[0];
      assert.equal(whole.length, householdOf(citizen).members.length);
      assert.equal(new Set(whole.map((r) => r.address)).size, 1);
      assert.equal(whole[0]?.address, personal?.address);
      assert.ok(whole.some((r) => r.national_id === citizen.nationalId));
      assert.equal(whole.filter((r) => r.relationship === '戶長').length, 1);
    }
  });

  it('is deterministic', () => {
    for (const id of DATASET_IDS) assert.deepEqual(recordsFor(id, 'A123456789'), recordsFor(id, 'A123456789'));
  });
});

describe('consistency across agencies', () => {
  it('insures the current employer for both labour and health insurance, and it pays last year’s salary', () => {
    for (const citizen of CITIZENS) {
      const current = rows('labour-insurance', citizen.nationalId).find((r) => r.end_date === null);
      if (!current) continue;
      const nhi = rows('nhi-enrolment', citizen.nationalId).find((r) => r.end_date === null);
      assert.equal(nhi?.insured_unit, current.employer_name, citizen.name);
      assert.equal(nhi?.category, '第一類');
      if (String(current.start_date) <= '2025-01-01') {
        assert.ok(rows('income', citizen.nationalId).some((r) => r.income_type === '薪資' && r.payer_name === current.employer_name));
      }
    }
  });

  it('lists registered vehicles and land in the property data set, and tickets only for own plates', () => {
    for (const citizen of CITIZENS) {
      const identifiers = new Set(rows('property', citizen.nationalId).map((r) => r.identifier));
      const plates = rows('vehicles', citizen.nationalId).map((r) => r.plate);
      for (const plate of plates) assert.ok(identifiers.has(plate), `${plate}`);
      for (const lot of rows('cadastral', citizen.nationalId)) {
        assert.ok(identifiers.has(`${lot.city}${lot.district}${lot.section}${lot.lot_number}地號`));
      }
      for (const ticket of rows('traffic-violations', citizen.nationalId)) assert.ok(plates.includes(ticket.plate));
      if (plates.length > 0) assert.ok(rows('driver-licence', citizen.nationalId).length > 0, citizen.name);
    }
  });

  it('gives a current low-income certificate to the whole household, counting its members', () => {
    for (const citizen of CITIZENS) {
      const current = rows('low-income', citizen.nationalId).find((r) => String(r.valid_to) >= REFERENCE_DATE);
      if (!current) continue;
      const members = householdOf(citizen).members;
      assert.equal(current.household_members, members.length);
      for (const member of members) assert.ok(recordsFor('low-income', member.nationalId));
      assert.equal(recordsFor('cadastral', citizen.nationalId), null);
    }
  });

  it('totals the joint return from the income records of 王小明, his wife and his mother', () => {
    const certificate = rows('income-tax-certificate', 'A123456789')[0];
    assert.ok(certificate);
    const household = householdOf(CITIZENS[0] ?? assert.fail());
    const income = household.members.flatMap((m) => rows('income', m.nationalId)).reduce((sum, r) => sum + Number(r.amount), 0);
    assert.equal(certificate.total_income, income);
    assert.equal(certificate.spouse_name, '陳怡君');
    assert.ok(Number(certificate.tax_paid) > 0 && certificate.paid_date !== null);
    // The spouse holds the same certificate; the children hold none.
    assert.deepEqual(rows('income-tax-certificate', household.members[1]?.nationalId ?? ''), [certificate]);
    assert.equal(recordsFor('income-tax-certificate', household.members[2]?.nationalId ?? ''), null);
  });

  it('lists 王小明’s dependants on his health insurance and charges for at most three', () => {
    const current = rows('nhi-enrolment', 'A123456789').find((r) => r.end_date === null);
    assert.equal(current?.dependants, '陳怡君、王品睿、王語彤、李秀英');
    const premiums = rows('nhi-premiums', 'A123456789');
    assert.equal(premiums.length, 12);
    assert.ok(premiums.every((p) => p.dependants_count === 3 && String(p.paid_date) < REFERENCE_DATE));
  });
});
