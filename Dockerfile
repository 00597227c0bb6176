# The Gradescope image, for Gradescope's "manual Docker configuration" and for TAs who want
# the exact container locally. Same setup.sh as the autograder zip (`autograder build`).
# CMD and ENTRYPOINT stay those of the base image.
#
#   autograder build ift6135-h20-hw1 --out autograder.zip && unzip autograder.zip -d image/
#   docker build -f Dockerfile -t dl-autograder:h20 image/
#   docker run --rm --network none -v "$PWD/sub:/autograder/submission" -v "$PWD/res:/autograder/results" \
#       dl-autograder:h20 /autograder/run_autograder
FROM gradescope/autograder-base:ubuntu-22.04

COPY . /autograder/source
RUN bash /autograder/source/setup.sh \
 && cp /autograder/source/run_autograder /autograder/run_autograder \
 && chmod 755 /autograder/run_autograder
