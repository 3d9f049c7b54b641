// The google-protobuf classes @roboflow/tfrecords generated for tf.Example (a second TFRecord implementation, used
// by the TFRecord fuzz campaign only to decode records independently): the part it uses. `toObject()` gives
// `{ context: { featureMap: [name, { bytesList | floatList | int64List: { valueList } }][] } }`.
declare module '@roboflow/tfrecords/src/tensorFlowRecordsProtoBuf_pb.js' {
  const pb: { TFRecordsImageMessage: { deserializeBinary(bytes: Uint8Array): { toObject(): unknown } } };
  export default pb;
}
