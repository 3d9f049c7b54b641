import { Type, type DataType } from 'apache-arrow';

/**
 * Arrow types named as the Arrow format names them (`Int64`, `List<Int32>`, `Decimal128(10, 2)`,
 * `Struct<a: Int32, b: Utf8>`), for the skipped-column list; apache-arrow's own `toString`
 * writes decimals as `Decimal[10e+2]`.
 */
export function arrowTypeName(type: DataType): string {
  const t = type as DataType & {
    bitWidth?: number;
    precision?: number;
    scale?: number;
    byteWidth?: number;
    listSize?: number;
    children?: { name: string; type: DataType }[];
    dictionary?: DataType;
  };
  const kids = () => (t.children ?? []).map((c) => arrowTypeName(c.type));
  switch (type.typeId) {
    case Type.Decimal:
      return `Decimal${t.bitWidth ?? 128}(${t.precision ?? 0}, ${t.scale ?? 0})`;
    case Type.FixedSizeBinary:
      return `FixedSizeBinary(${t.byteWidth ?? 0})`;
    case Type.List:
      return `List<${kids().join(', ')}>`;
    case Type.LargeList:
      return `LargeList<${kids().join(', ')}>`;
    case Type.FixedSizeList:
      return `FixedSizeList(${t.listSize ?? 0})<${kids().join(', ')}>`;
    case Type.Struct:
      return `Struct<${(t.children ?? []).map((c) => `${c.name}: ${arrowTypeName(c.type)}`).join(', ')}>`;
    case Type.Map: {
      const entries = (t.children ?? [])[0]?.type as (DataType & { children?: { type: DataType }[] }) | undefined;
      return `Map<${(entries?.children ?? []).map((c) => arrowTypeName(c.type)).join(', ')}>`;
    }
    case Type.Union:
      return `Union<${kids().join(' | ')}>`;
    case Type.Dictionary:
      return `Dictionary<${arrowTypeName(t.dictionary as DataType)}>`;
    default:
      return String(type);
  }
}

/**
 * Why a column of this type is left out of the table, in a user's terms; null for types the
 * reader turns into training columns.
 */
export function skipReason(type: DataType): string | null {
  switch (type.typeId) {
    case Type.Null:
      return 'it holds no values (every row is missing)';
    case Type.List:
    case Type.LargeList:
      return 'it holds a list of varying length in each row, which does not map to fixed feature columns';
    case Type.Map:
      return 'it holds key-value pairs in each row, which do not map to fixed feature columns';
    case Type.Union:
      return 'each row may hold a value of a different type (a union)';
    default:
      return null;
  }
}
