"""`audioessay publish`: the site, uploaded to S3, SFTP or a folder, incrementally, feed last."""
