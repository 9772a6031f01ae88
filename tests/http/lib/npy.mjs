// NumPy .npy files written as numpy.save writes them, for the tests that send or read arrays.

/** A .npy file as numpy.save writes it (version 1.0 unless major says otherwise). */
export function npy(descr, shape, data, { fortran = false, major = 1 } = {}) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = major === 1 ? 10 : 12;
  let hlen = dict.length + 1;
  while ((pre + hlen) % 64 !== 0) hlen++;
  const head = Buffer.alloc(pre + hlen, ' ');
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = major;
  head[7] = 0;
  if (major === 1) head.writeUInt16LE(hlen, 8);
  else head.writeUInt32LE(hlen, 8);
  head.write(dict, pre, 'latin1');
  head[pre + hlen - 1] = 0x0a;
  return Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
