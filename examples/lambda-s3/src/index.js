exports.handler = async (event) => {
  console.log("S3 Event:", JSON.stringify(event, null, 2));

  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const size = record.s3.object.size;

    console.log(`File uploaded: ${key} (${size} bytes) in bucket: ${bucket}`);
  }

  return { statusCode: 200, body: "Processed successfully" };
};
